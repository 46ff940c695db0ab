/**
 * Closing the loop: a low answer becomes a case for the touchpoint's owner, who is emailed within
 * a minute; a case still open at its deadline is marked overdue (an event for ticketing tools) and,
 * later, escalated by email; owners move cases on the dashboard or the CLI.
 *
 * Primary course of openCase (on `Survey Follow-up Requested`, delivered at least once):
 * 1. Read the invitation (the comment and customer context stay there, not on the case).
 * 2. Open the case with one conditional put: a redelivery finds it and opens nothing.
 * 3. Email the owner (and their team) unless the case says it was done; then note it. A crash
 *    between the two sends the email again on the retry: a second email beats a silent case.
 *
 * `Survey Follow-up Withdrawn` may arrive before the request it withdraws (EventBridge keeps no
 * order): it then opens the case already withdrawn, and the late request finds it and emails no one.
 */
import { asFunction } from '../adapters/function-scope.js';
import { log } from '../adapters/log.js';
import { ownerCalendar } from '../config/schema.js';
import type { Program } from '../domain/program.js';
import { describeIssues } from '../contracts/interaction.js';
import {
  CASE_TRANSITIONS,
  CLOSED_STATUSES,
  type CaseStatus,
  type FollowUpCase,
} from '../contracts/follow-up-case.js';
import type { Invitation } from '../contracts/invitation.js';
import {
  DEFAULT_FOLLOW_UP_THRESHOLD,
  SURVEY_FOLLOW_UP_REQUESTED,
  SURVEY_FOLLOW_UP_WITHDRAWN,
  SurveyFollowUpRequestedV1,
  SurveyFollowUpWithdrawnV1,
} from '../contracts/survey-events.js';
import { businessDeadline } from '../domain/business-hours.js';
import { InvalidEventError } from '../domain/errors.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { emailOwner, CASE_EMAILS_USES } from './case-emails.js';

/** What follow-up reaches of the runtime: its functions are built with these and no more. */
export const FOLLOW_UP_USES = [
  ...CASE_EMAILS_USES,
  'cases',
  'config',
  'invitations',
  'programFor',
] as const satisfies readonly RuntimePart[];
export type FollowUpDeps = Needs<typeof FOLLOW_UP_USES>;

/** The actor Afterword records for what it does itself; the customer's withdrawal is `customer`. */
export const SYSTEM_ACTOR = 'afterword';
export const CUSTOMER_ACTOR = 'customer';

export type FollowUpEventOutcome = 'opened' | 'exists' | 'withdrawn' | 'already-closed' | 'ignored';

/** One event from the bus, as the follow-up function gets it. */
export function handleFollowUpEvent(
  ...args: Parameters<typeof handleEvent>
): ReturnType<typeof handleEvent> {
  return asFunction('follow-up', () => handleEvent(...args));
}

async function handleEvent(
  rt: FollowUpDeps,
  event: { 'detail-type': string; detail: unknown },
  now: Date,
): Promise<FollowUpEventOutcome> {
  if (event['detail-type'] === SURVEY_FOLLOW_UP_REQUESTED) {
    const parsed = SurveyFollowUpRequestedV1.safeParse(event.detail);
    if (!parsed.success) throw new InvalidEventError(describeIssues(parsed.error, 'detail'));
    return openCase(rt, parsed.data.invitationId, now);
  }
  if (event['detail-type'] === SURVEY_FOLLOW_UP_WITHDRAWN) {
    const parsed = SurveyFollowUpWithdrawnV1.safeParse(event.detail);
    if (!parsed.success) throw new InvalidEventError(describeIssues(parsed.error, 'detail'));
    return withdrawCase(rt, parsed.data.invitationId, now);
  }
  throw new InvalidEventError([
    `detail-type: the follow-up function does not take "${event['detail-type']}"`,
  ]);
}

export interface CaseContext {
  invitation: Invitation;
  program: Program;
  openedAt: string;
}

/** The invitation and program behind a follow-up, or undefined when either is gone. */
async function contextOf(rt: FollowUpDeps, invitationId: string): Promise<CaseContext | undefined> {
  const invitation = await rt.invitations.get(invitationId);
  const program = invitation && rt.programFor(invitation.touchpoint);
  if (!invitation || invitation.erasedAt || !program || !invitation.followUpRequestedAt) {
    // Expired or erased since, or a program removed from the config: nothing to follow up.
    log.warn('follow-up.no-invitation', { invitationId, found: Boolean(invitation) });
    return undefined;
  }
  return { invitation, program, openedAt: invitation.followUpRequestedAt };
}

function newCase(
  rt: FollowUpDeps,
  { invitation, program, openedAt }: CaseContext,
  status: CaseStatus,
  now: Date,
): FollowUpCase {
  const opened = new Date(openedAt);
  const dueBy = businessDeadline(
    opened,
    program.followUpWithin,
    ownerCalendar(rt.config, program.owner),
  );
  // A case opened already withdrawn closed when the customer raised the score.
  const closedAt = invitation.followUpWithdrawnAt ?? now.toISOString();
  const transitions: FollowUpCase['transitions'] = [{ to: 'open', at: openedAt, by: SYSTEM_ACTOR }];
  if (status !== 'open') transitions.push({ to: status, at: closedAt, by: CUSTOMER_ACTOR });
  return {
    invitationId: invitation.invitationId,
    customerId: invitation.customerId,
    touchpoint: invitation.touchpoint,
    channel: invitation.channel,
    ...(invitation.segment ? { segment: invitation.segment } : {}),
    ...(invitation.journeyStep ? { journeyStep: invitation.journeyStep } : {}),
    metric: program.metric,
    score: invitation.score ?? 0,
    threshold: program.followUpThreshold ?? DEFAULT_FOLLOW_UP_THRESHOLD[program.metric],
    contactAllowed: invitation.followUp === true,
    owner: { name: program.owner.name, email: program.owner.email },
    openedAt,
    dueBy: dueBy.toISOString(),
    status,
    notes: [],
    transitions,
    ...(status === 'open' ? {} : { closedAt }),
  };
}

/** Opens the invitation's case in `status`, once; it expires with its invitation. */
function openAs(rt: FollowUpDeps, context: CaseContext, status: CaseStatus, now: Date) {
  const expireAt =
    Math.floor(Date.parse(context.invitation.decidedAt) / 1000) +
    rt.config.dataRetentionDays * 86_400;
  return rt.cases.open(newCase(rt, context, status, now), expireAt);
}

export async function openCase(
  rt: FollowUpDeps,
  invitationId: string,
  now: Date,
): Promise<FollowUpEventOutcome> {
  const context = await contextOf(rt, invitationId);
  if (!context) return 'ignored';
  // The customer raised the score before this request was handled: the case opens withdrawn.
  const status = context.invitation.followUpWithdrawnAt ? 'withdrawn' : 'open';
  const opened = await openAs(rt, context, status, now);
  const followUp = opened.case;
  if (followUp.status === 'open' && !followUp.ownerNotifiedAt) {
    await emailOwner(rt, context, followUp);
    await rt.cases.markNotified(followUp, now);
    log.info('follow-up.owner-emailed', { invitationId, touchpoint: followUp.touchpoint });
  }
  return opened.created ? 'opened' : 'exists';
}

async function withdrawCase(
  rt: FollowUpDeps,
  invitationId: string,
  now: Date,
): Promise<FollowUpEventOutcome> {
  const context = await contextOf(rt, invitationId);
  if (!context) return 'ignored';
  let current = await rt.cases.get(invitationId, context.openedAt);
  if (!current) {
    const opened = await openAs(rt, context, 'withdrawn', now);
    if (opened.created) return 'withdrawn';
    // The request's case landed between the read and the put: withdraw that one.
    current = opened.case;
  }
  const change = await rt.cases.transition(current, 'withdrawn', CUSTOMER_ACTOR, now);
  return change.changed ? 'withdrawn' : 'already-closed';
}

/** What an owner or lead may do to a case, and the error they get when they may not. */
export class CaseTransitionError extends Error {
  override name = 'CaseTransitionError';
}

/**
 * An owner (or a CX lead) moves a case: `contacted`, `resolved` (with a root cause from the
 * program's list), `no-action`; with an optional note.
 */
export async function moveCase(
  rt: FollowUpDeps,
  followUp: FollowUpCase,
  change: { to: CaseStatus; by: string; rootCause?: string; note?: string },
  now: Date,
): Promise<FollowUpCase> {
  const program = rt.programFor(followUp.touchpoint);
  if (change.to === 'withdrawn' || change.to === 'open') {
    throw new CaseTransitionError(`a case cannot be moved to "${change.to}" by hand`);
  }
  if (!CASE_TRANSITIONS[followUp.status].includes(change.to)) {
    throw new CaseTransitionError(`a ${followUp.status} case cannot become ${change.to}`);
  }
  if (change.to === 'resolved') {
    if (!change.rootCause) throw new CaseTransitionError('resolving a case needs a root cause');
  }
  if (change.rootCause && !(program?.rootCauses ?? []).includes(change.rootCause)) {
    throw new CaseTransitionError(
      `"${change.rootCause}" is not a root cause of ${followUp.touchpoint}: pick one of ${(program?.rootCauses ?? []).join(', ')}`,
    );
  }
  const note = change.note?.trim();
  if (note && note.length > 1000)
    throw new CaseTransitionError('a note has at most 1,000 characters');
  const result = await rt.cases.transition(followUp, change.to, change.by.slice(0, 255), now, {
    ...(change.rootCause ? { rootCause: change.rootCause } : {}),
    ...(note ? { note } : {}),
  });
  if (!result.changed) {
    const current = result.now?.status ?? 'gone';
    throw new CaseTransitionError(
      current === followUp.status
        ? 'the case has as many notes as it can hold (20)'
        : `the case changed meanwhile: it is ${current} now`,
    );
  }
  log.info('follow-up.moved', { invitationId: followUp.invitationId, to: change.to });
  return result.after;
}

/** The case of an invitation, if it has one. */
export async function caseOf(
  rt: FollowUpDeps,
  invitationId: string,
): Promise<FollowUpCase | undefined> {
  return (await caseWithInvitation(rt, invitationId))?.followUp;
}

/** The case of an invitation and the invitation itself (its comment, its customer), one read each. */
export async function caseWithInvitation(
  rt: FollowUpDeps,
  invitationId: string,
): Promise<{ followUp: FollowUpCase; invitation: Invitation } | undefined> {
  const invitation = await rt.invitations.get(invitationId, { consistent: false });
  if (!invitation?.followUpRequestedAt) return undefined;
  const followUp = await rt.cases.get(invitationId, invitation.followUpRequestedAt);
  return followUp && { followUp, invitation };
}

/** Most urgent first: overdue, then open by deadline, then closed ones, the latest closed first. */
export function byUrgency(now: Date) {
  const rank = (c: FollowUpCase) =>
    isOverdue(c, now) ? 0 : CLOSED_STATUSES.includes(c.status) ? 2 : 1;
  return (a: FollowUpCase, b: FollowUpCase) =>
    rank(a) - rank(b) ||
    (rank(a) === 2
      ? (b.closedAt ?? '').localeCompare(a.closedAt ?? '')
      : a.dueBy.localeCompare(b.dueBy));
}

/** Whether a case is past its deadline without first contact. */
export function isOverdue(followUp: FollowUpCase, now: Date): boolean {
  return followUp.status === 'open' && followUp.dueBy < now.toISOString();
}
