/**
 * Answering a survey. Opening a link only reads (mail scanners follow every link); only the
 * confirming POST records the answer.
 *
 * Primary course of submitAnswer:
 * 1. Verify the signed token (forged, unknown-key or expired links record nothing).
 * 2. Validate the score against the program's scale and the comment's length.
 * 3. Record the answer with a conditional update (only a sent, unexpired survey; the last answer
 *    wins, earlier ones are kept in its history).
 * 4. Publish `Survey Answered` on the bus.
 */
import { log } from '../adapters/log.js';
import type { Program, Wording } from '../config/schema.js';
import { AnswerInput, type Invitation } from '../contracts/invitation.js';
import {
  DEFAULT_FOLLOW_UP_THRESHOLD,
  SURVEY_ANSWERED,
  SURVEY_FOLLOW_UP_REQUESTED,
  type SurveyAnswered,
  type SurveyFollowUpRequested,
} from '../contracts/survey-events.js';
import { addIsoDuration } from '../domain/time.js';
import { describeIssues } from '../contracts/interaction.js';
import {
  InvalidAnswerError,
  InvitationNotFoundError,
  SurveyClosedError,
} from '../domain/errors.js';
import { isValidScore, SCALES } from '../domain/metric.js';
import { wordingFor } from '../domain/wording.js';
import type { Runtime } from '../runtime.js';

export interface SurveyView {
  invitation: Invitation;
  program: Program;
  locale: string;
  wording: Wording;
}

const ANSWERABLE = new Set<Invitation['status']>(['sent', 'delivered', 'answered']);

/**
 * Everything the survey page needs; writes nothing. The page itself reads eventually consistently
 * (`consistent: false`, half the price); the POST reads consistently, to see a replay at once.
 */
export async function openSurvey(
  rt: Runtime,
  token: string,
  now: Date,
  { consistent = true }: { consistent?: boolean } = {},
): Promise<SurveyView> {
  const { invitationId } = rt.signer.verify(token, now);
  const invitation = await rt.invitations.get(invitationId, { consistent });
  if (!invitation) throw new InvitationNotFoundError(invitationId);
  const program = rt.programFor(invitation.touchpoint);
  if (!program) throw new InvitationNotFoundError(invitationId);
  if (!ANSWERABLE.has(invitation.status)) throw new SurveyClosedError(invitationId, 'not-sent');
  if (invitation.expiresAt && invitation.expiresAt <= now.toISOString()) {
    throw new SurveyClosedError(invitationId, 'expired');
  }
  return { invitation, program, ...wordingFor(program, invitation.locale) };
}

/**
 * Opts the customer behind an unsubscribe link out of every program, at once. Works for any
 * invitation state: a customer may unsubscribe from an old or closed survey's email.
 */
export async function unsubscribe(
  rt: Runtime,
  token: string,
  now: Date,
  options: { record: boolean },
): Promise<{ locale: string }> {
  const { invitationId } = rt.signer.verify(token, now, 'unsubscribe');
  const invitation = await rt.invitations.get(invitationId);
  if (!invitation) throw new InvitationNotFoundError(invitationId);
  if (options.record) {
    await rt.contacts.optOut(invitation.customerId, now);
    log.info('answer.unsubscribed', { invitationId });
  }
  return { locale: invitation.locale };
}

export async function submitAnswer(
  rt: Runtime,
  token: string,
  form: unknown,
  now: Date,
): Promise<SurveyView & { score: number; replay: boolean }> {
  const view = await openSurvey(rt, token, now);
  const { invitation, program } = view;
  const parsed = AnswerInput.safeParse(form);
  if (!parsed.success) throw new InvalidAnswerError(describeIssues(parsed.error));
  const { score, comment } = parsed.data;
  const followUp = view.wording.followUpQuestion ? (parsed.data.followUp ?? false) : undefined;
  if (!isValidScore(program.metric, score)) {
    const { min, max } = SCALES[program.metric];
    throw new InvalidAnswerError([
      `score: must be a whole number from ${min} to ${max}, got ${score}`,
    ]);
  }
  // A replayed POST (a double click, a resubmitted form) changes nothing and emits nothing again.
  if (
    invitation.status === 'answered' &&
    invitation.score === score &&
    invitation.comment === comment &&
    invitation.followUp === followUp
  ) {
    return { ...view, score, replay: true };
  }
  const recorded = await rt.invitations.recordAnswer(
    invitation.invitationId,
    { score, comment, followUp },
    now,
  );
  if (!recorded) throw new SurveyClosedError(invitation.invitationId, 'expired');
  log.info('answer.recorded', { invitationId: invitation.invitationId, score });

  const answered: SurveyAnswered = {
    version: '1',
    invitationId: invitation.invitationId,
    interactionId: invitation.interactionId,
    customerId: invitation.customerId,
    touchpoint: invitation.touchpoint,
    channel: invitation.channel,
    segment: invitation.segment,
    journeyStep: invitation.journeyStep,
    metric: program.metric,
    score,
    hasComment: Boolean(comment),
    answeredAt: now.toISOString(),
  };
  await publishQuietly(rt, invitation.invitationId, SURVEY_ANSWERED, answered);
  const threshold = program.followUpThreshold ?? DEFAULT_FOLLOW_UP_THRESHOLD[program.metric];
  if (score <= threshold) {
    const request: SurveyFollowUpRequested = {
      ...answered,
      owner: program.owner,
      threshold,
      dueBy: addIsoDuration(now, program.followUpWithin).toISOString(),
      ...(followUp === undefined ? {} : { followUp }),
    };
    await publishQuietly(rt, invitation.invitationId, SURVEY_FOLLOW_UP_REQUESTED, request);
  }
  return { ...view, score, replay: false };
}

/**
 * The answer is safely stored and counted by the rollup either way; an event is for subscribers,
 * so its failure is logged (and alarmed on AWS through the function's errors) but must not turn
 * the customer's answer into an error page.
 */
async function publishQuietly(
  rt: Runtime,
  invitationId: string,
  detailType: string,
  detail: object,
) {
  try {
    await rt.events.publish(detailType, detail);
  } catch (error) {
    log.error('answer.event-failed', { invitationId, detailType, error: (error as Error).message });
  }
}
