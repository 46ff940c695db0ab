/**
 * The follow-up sweep, every five minutes on AWS: open cases past their deadline are marked
 * overdue (once, with Survey Follow-up Overdue), and escalated when they stay open past that.
 */
import { asFunction } from '../adapters/function-scope.js';
import { log } from '../adapters/log.js';
import { ownerCalendar } from '../config/schema.js';
import type { FollowUpCase } from '../contracts/follow-up-case.js';
import {
  SURVEY_FOLLOW_UP_OVERDUE,
  type SurveyFollowUpOverdue,
} from '../contracts/survey-events.js';
import { businessDeadline } from '../domain/business-hours.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { emailEscalation, CASE_EMAILS_USES } from './case-emails.js';

/** What follow-up-sweep reaches of the runtime: its functions are built with these and no more. */
export const FOLLOW_UP_SWEEP_USES = [
  ...CASE_EMAILS_USES,
  'cases',
  'config',
  'events',
  'invitations',
  'programFor',
] as const satisfies readonly RuntimePart[];
export type FollowUpSweepDeps = Needs<typeof FOLLOW_UP_SWEEP_USES>;

/** What one sweep did. */
export interface SweepResult {
  overdue: number;
  escalated: number;
  /** Cases whose step failed this time: they stay due and are tried again at the next sweep. */
  failed: number;
}

/**
 * Marks the cases whose deadline has passed without first contact overdue (once each, with
 * `Survey Follow-up Overdue`), and escalates those still open `escalateAfter` later. Run every few
 * minutes by a schedule; idempotent: every step is a conditional write.
 */
export function sweepFollowUps(...args: Parameters<typeof sweep>): ReturnType<typeof sweep> {
  return asFunction('follow-up', () => sweep(...args));
}

export async function sweep(rt: FollowUpSweepDeps, now: Date): Promise<SweepResult> {
  const result: SweepResult = { overdue: 0, escalated: 0, failed: 0 };
  for (const followUp of await rt.cases.due(now)) {
    try {
      const step = await sweepOne(rt, followUp, now);
      if (step) result[step]++;
    } catch (error) {
      // One case's failure (SES refusing, a throttled bus) leaves it in the queue for the next
      // sweep and does not hold up the others.
      result.failed++;
      log.error('follow-up.sweep-case-failed', {
        invitationId: followUp.invitationId,
        error: (error as Error).name,
      });
    }
  }
  if (result.overdue || result.escalated || result.failed)
    log.info('follow-up.swept', { ...result });
  return result;
}

/**
 * One case past a deadline. The event or email goes out before the mark that ends the step: a
 * failure in between repeats it on the next sweep (at least once, as events are), never loses it.
 * The index read may be stale, so each step checks its own time against the case itself.
 */
export async function sweepOne(
  rt: FollowUpSweepDeps,
  followUp: FollowUpCase,
  now: Date,
): Promise<'overdue' | 'escalated' | undefined> {
  const program = rt.programFor(followUp.touchpoint);
  if (followUp.status !== 'open' || !program) {
    await rt.cases.leaveQueue(followUp);
    return undefined;
  }
  const owner = program.owner;
  const escalateAt = owner.escalateTo
    ? businessDeadline(
        new Date(followUp.dueBy),
        owner.escalateAfter,
        ownerCalendar(rt.config, owner),
      ).toISOString()
    : undefined;
  if (!followUp.overdueAt) {
    if (followUp.dueBy > now.toISOString()) return undefined;
    const overdueAt = now.toISOString();
    await rt.events.publish(SURVEY_FOLLOW_UP_OVERDUE, overdueEvent({ ...followUp, overdueAt }));
    const change = await rt.cases.markOverdue(followUp, now, escalateAt);
    return change.changed ? 'overdue' : undefined;
  }
  if (owner.escalateTo && escalateAt && !followUp.escalatedAt) {
    if (escalateAt > now.toISOString()) return undefined;
    const invitation = await rt.invitations.get(followUp.invitationId);
    if (invitation) {
      await emailEscalation(
        rt,
        { invitation, program, openedAt: followUp.openedAt },
        followUp,
        owner.escalateTo,
      );
    }
    await rt.events.publish(SURVEY_FOLLOW_UP_OVERDUE, overdueEvent(followUp, owner.escalateTo));
    const change = await rt.cases.markEscalated(followUp, owner.escalateTo, now);
    return change.changed ? 'escalated' : undefined;
  }
  await rt.cases.leaveQueue(followUp);
  return undefined;
}

export function overdueEvent(followUp: FollowUpCase, escalatedTo?: string): SurveyFollowUpOverdue {
  return {
    version: '1',
    invitationId: followUp.invitationId,
    customerId: followUp.customerId,
    touchpoint: followUp.touchpoint,
    channel: followUp.channel,
    metric: followUp.metric,
    score: followUp.score,
    owner: followUp.owner,
    openedAt: followUp.openedAt,
    dueBy: followUp.dueBy,
    overdueAt: followUp.overdueAt!,
    ...(escalatedTo ? { escalatedTo } : {}),
  };
}
