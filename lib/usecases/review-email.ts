/**
 * The review programme's follow-up email (issue 21, domain/review.ts): one, a configured while
 * after a happy answer whose customer did not follow the thank-you page's invitation.
 *
 * 1. Put off to the customer's send window, as reminders are.
 * 2. Taken out of the REVIEW queue once, before anything is sent: at most one email, never retried.
 * 3. Not sent when the answer is no longer invited (changed, erased, the destination removed), the
 *    invitation was followed already, the address is suppressed or opted out (its record), the
 *    customer opted out or has no contact item, or had a review email within the program's
 *    `followUpOncePer` (the last three in the contact item's conditional write, whatever the
 *    program).
 * 4. Sent with the same signed review link, valid 30 days, and the one-click unsubscribe.
 */
import { log } from '../adapters/log.js';
import { nextSendTime } from '../domain/contact-rules.js';
import { surveySender } from '../domain/email.js';
import { reviewDestination } from '../domain/review.js';
import { renderReviewEmail } from '../domain/review-email.js';
import { addIsoDuration, isoDurationMillis } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { DISPATCH_EMAIL_USES, unsubscribeTokenFor } from './dispatch-email.js';

export const REVIEW_EMAIL_USES = [
  ...DISPATCH_EMAIL_USES,
  'answers',
] as const satisfies readonly RuntimePart[];
export type ReviewEmailDeps = Needs<typeof REVIEW_EMAIL_USES>;

/** How long the email's review link works. */
const REVIEW_LINK_DAYS = 30;

/** Sends one due review follow-up email, or settles why not; true when one was sent. */
export async function reviewFollowUpOne(
  rt: ReviewEmailDeps,
  invitationId: string,
  clock: () => Date,
): Promise<boolean> {
  const now = clock();
  const read = await rt.invitations.get(invitationId);
  const window = read && rt.programFor(read.touchpoint)?.sendWindow;
  if (read && window && !rt.settings.instant) {
    const opensAt = nextSendTime(now, window, read.timeZone);
    if (opensAt > now) {
      // not when an answer given since moved it later: that time stands (deferReviewEmail)
      await rt.answers.deferReviewEmail(invitationId, opensAt, now);
      return false;
    }
  }
  // Decided by the claim's own condition (due, invited, not followed, not erased) and its result.
  const invitation = await rt.answers.claimReviewEmail(invitationId, now);
  if (!invitation) return false;
  const program = rt.programFor(invitation.touchpoint);
  const setting = program?.review;
  const skip = (why: string) => {
    log.info('dispatch.review-email-skipped', { invitationId, why });
    return false;
  };
  if (!program || !setting?.followUpAfter) return skip('no-programme');
  if (!reviewDestination(setting, invitation.locale)) return skip('no-destination');
  if (!invitation.email) return skip('no-address');
  // The address's record (suppressed, or opted out under any customer id); the id's opt-out is
  // the contact item's, which the claim below is conditional on (no separate read of it).
  const block = await rt.suppressions.reasonFor(invitation.email);
  if (block) return skip(block === 'opted-out' ? 'opted-out' : 'suppressed');
  const since = new Date(now.getTime() - isoDurationMillis(setting.followUpOncePer));
  const asked = await rt.contacts.claimReviewAsk(invitation.customerId, now, since);
  if (asked !== 'asked') return skip(asked);
  const [token, unsubscribeToken] = await Promise.all([
    rt.signer.sign(
      { invitationId, expiresAt: addIsoDuration(now, `P${REVIEW_LINK_DAYS}D`) },
      'review',
    ),
    unsubscribeTokenFor(rt, invitation),
  ]);
  const email = renderReviewEmail({
    invitation,
    program,
    brand: rt.config.brand,
    branding: rt.config.branding,
    reviewUrl: new URL(`/r/${token}`, rt.publicBaseUrl).toString(),
    unsubscribeToken,
    baseUrl: rt.publicBaseUrl,
  });
  const limiter = await rt.sendLimiter();
  await limiter.take();
  try {
    const { messageId } = await rt.mailer.send({
      from: surveySender(rt.config),
      to: invitation.email,
      subject: email.subject,
      html: email.html,
      text: email.text,
      headers: email.headers,
      // SES feedback of this email suppresses the address but leaves the survey's funnel alone
      tags: { invitationId, kind: 'review' },
    });
    log.info('dispatch.review-email-sent', { invitationId, messageId });
    return true;
  } catch (error) {
    // At most one: a failed review email is not tried again.
    log.warn('dispatch.review-email-failed', { invitationId, error: (error as Error).name });
    return false;
  }
}
