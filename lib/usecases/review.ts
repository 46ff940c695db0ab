/**
 * Following a review invitation (issue 21, domain/review.ts): the signed redirect from the
 * thank-you page to the review destination the program names for the survey's locale. The click
 * is counted once per answer; the destination comes from the config, never from the request.
 */
import { log } from '../adapters/log.js';
import { InvitationNotFoundError } from '../domain/errors.js';
import { reviewDestination } from '../domain/review.js';
import type { Needs, RuntimePart } from '../runtime.js';

export const REVIEW_USES = [
  'answers',
  'programFor',
  'signer',
] as const satisfies readonly RuntimePart[];
export type ReviewDeps = Needs<typeof REVIEW_USES>;

/**
 * Where the customer behind a review link goes, the click recorded on the way. A link of another
 * purpose, a tampered or expired one, or an answer no longer invited (changed, or a destination
 * since removed) is refused with the survey's own errors (domain/errors.ts).
 */
export async function followReview(
  rt: ReviewDeps,
  token: string,
  now: Date,
  { record = true }: { record?: boolean } = {},
): Promise<string> {
  const { invitationId } = await rt.signer.verify(token, now, 'review');
  const found = await rt.answers.reviewOf(invitationId);
  const invitation = found?.invitation;
  const program = invitation && rt.programFor(invitation.touchpoint);
  const destination =
    invitation?.reviewOffered && program
      ? reviewDestination(program.review, invitation.locale)
      : undefined;
  if (!destination) throw new InvitationNotFoundError(invitationId);
  if (
    record &&
    !invitation!.reviewClickedAt &&
    found!.answersSortKey &&
    (await rt.answers.recordReviewFollowed(invitationId, found!.answersSortKey, now))
  ) {
    log.info('review.followed', { invitationId, touchpoint: invitation!.touchpoint });
  }
  return destination;
}
