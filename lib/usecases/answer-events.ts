/**
 * What an answer tells the rest of the world: the follow-up's due-by and when the customer may
 * expect contact, and the events published (Survey Answered, Follow-up Requested and Withdrawn).
 */
import { log } from '../adapters/log.js';
import { ownerCalendar, type AfterwordConfig } from '../config/schema.js';
import type { Program } from '../domain/program.js';
import { businessDeadline } from '../domain/business-hours.js';
import { emitMetrics } from '../adapters/metrics.js';
import type { Invitation } from '../contracts/invitation.js';
import {
  SURVEY_ANSWERED,
  SURVEY_FOLLOW_UP_REQUESTED,
  SURVEY_FOLLOW_UP_WITHDRAWN,
  type SurveyAnswered,
  type SurveyFollowUpRequested,
  type SurveyFollowUpWithdrawn,
} from '../contracts/survey-events.js';
import type { Needs, RuntimePart } from '../runtime.js';
import type { SurveyView } from './answer.js';

/** What answer-events reaches of the runtime: its functions are built with these and no more. */
export const ANSWER_EVENTS_USES = ['config', 'events'] as const satisfies readonly RuntimePart[];
export type AnswerEventsDeps = Needs<typeof ANSWER_EVENTS_USES>;

/** When the owner should have followed up a low answer given at `requestedAt`: business hours. */
export function followUpDueBy(
  config: Pick<AfterwordConfig, 'businessHours' | 'timeZone'>,
  program: Program,
  requestedAt: Date,
): Date {
  return businessDeadline(
    requestedAt,
    program.followUpWithin,
    ownerCalendar(config, program.owner),
  );
}

/**
 * When a customer who asked to be contacted about a low answer can expect it: the follow-up's
 * deadline, from the time the follow-up was first requested. Undefined when no contact is due.
 */
export function contactExpectedBy(
  config: Pick<AfterwordConfig, 'businessHours' | 'timeZone'>,
  program: Program,
  invitation: Pick<Invitation, 'followUp' | 'followUpRequestedAt' | 'followUpWithdrawnAt'>,
): Date | undefined {
  if (!invitation.followUp || !invitation.followUpRequestedAt || invitation.followUpWithdrawnAt) {
    return undefined;
  }
  return followUpDueBy(config, program, new Date(invitation.followUpRequestedAt));
}

export function contactOf(
  rt: AnswerEventsDeps,
  program: Program,
  invitation: Parameters<typeof contactExpectedBy>[2],
): { contactBy?: Date } {
  const contactBy = contactExpectedBy(rt.config, program, invitation);
  return contactBy ? { contactBy } : {};
}

export async function publishAnswerEvents(
  rt: AnswerEventsDeps,
  { invitation, program }: SurveyView,
  answer: {
    score: number;
    comment: string | undefined;
    followUp: boolean | undefined;
    threshold: number;
    now: Date;
    request: boolean;
    withdraw: boolean;
  },
) {
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
    score: answer.score,
    hasComment: Boolean(answer.comment),
    answeredAt: answer.now.toISOString(),
  };
  await publishQuietly(rt, invitation.invitationId, SURVEY_ANSWERED, answered);
  if (answer.request) {
    const request: SurveyFollowUpRequested = {
      ...answered,
      owner: { name: program.owner.name, email: program.owner.email },
      threshold: answer.threshold,
      dueBy: followUpDueBy(rt.config, program, answer.now).toISOString(),
      ...(answer.followUp === undefined ? {} : { followUp: answer.followUp }),
    };
    await publishQuietly(rt, invitation.invitationId, SURVEY_FOLLOW_UP_REQUESTED, request);
  }
  if (answer.withdraw) {
    const withdrawn: SurveyFollowUpWithdrawn = { ...answered, threshold: answer.threshold };
    await publishQuietly(rt, invitation.invitationId, SURVEY_FOLLOW_UP_WITHDRAWN, withdrawn);
  }
}

/**
 * The answer is safely stored and counted by the rollup either way; an event is for subscribers,
 * so its failure is logged and counted (`EventPublishFailures`, alarmed on AWS) but must not turn
 * the customer's answer into an error page.
 */
export async function publishQuietly(
  rt: AnswerEventsDeps,
  invitationId: string,
  detailType: string,
  detail: object,
) {
  try {
    await rt.events.publish(detailType, detail);
  } catch (error) {
    log.error('answer.event-failed', { invitationId, detailType, error: (error as Error).message });
    // A handled error: the function does not fail, so this metric is what the alarm watches.
    emitMetrics({ EventPublishFailures: { value: 1, unit: 'Count' } });
  }
}
