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
import { SURVEY_ANSWERED, type SurveyAnswered } from '../contracts/survey-events.js';
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

/** Everything the survey page needs; writes nothing. */
export async function openSurvey(rt: Runtime, token: string, now: Date): Promise<SurveyView> {
  const { invitationId } = rt.signer.verify(token, now);
  const invitation = await rt.invitations.get(invitationId);
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
): Promise<SurveyView & { score: number }> {
  const view = await openSurvey(rt, token, now);
  const { invitation, program } = view;
  const parsed = AnswerInput.safeParse(form);
  if (!parsed.success) throw new InvalidAnswerError(describeIssues(parsed.error));
  const { score, comment } = parsed.data;
  if (!isValidScore(program.metric, score)) {
    const { min, max } = SCALES[program.metric];
    throw new InvalidAnswerError([
      `score: must be a whole number from ${min} to ${max}, got ${score}`,
    ]);
  }
  const recorded = await rt.invitations.recordAnswer(
    invitation.invitationId,
    { score, comment },
    now,
  );
  if (!recorded) throw new SurveyClosedError(invitation.invitationId, 'expired');
  log.info('answer.recorded', { invitationId: invitation.invitationId, score });

  const event: SurveyAnswered = {
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
  try {
    await rt.events.publish(SURVEY_ANSWERED, event);
  } catch (error) {
    // The answer is safely stored and counted by the rollup either way; the event is a courtesy
    // to subscribers, so its failure must not turn the customer's answer into an error page.
    log.error('answer.event-failed', {
      invitationId: invitation.invitationId,
      error: (error as Error).message,
    });
  }
  return { ...view, score };
}
