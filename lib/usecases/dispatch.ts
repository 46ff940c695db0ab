/**
 * Dispatch: sends due surveys at most once each, never faster than SES allows, then their one
 * reminder, then closes them when their link expires.
 *
 * Primary course of one tick:
 * 1. Abandoned sends: a claim whose lease ran out (the sender died after claiming) becomes
 *    `unknown` and is counted, never sent again: SES may already have accepted it (at most once).
 * 2. Due sends, page by page from the sparse outbox index (every shard; no Scan), until none are
 *    due or the tick's time budget is spent:
 *    a. claim with a conditional update (scheduled → sending, with a lease); a lost race means
 *       another dispatcher has it;
 *    b. skip it when later than the program's maxLateness (`too-late`), cancel it when the
 *       customer opted out or the address was suppressed since intake;
 *    c. wait for a token (the account's send rate), render, send through SES;
 *    d. record SES's message id (sent). Throttling pauses the bucket and puts the survey back in
 *       the outbox for a later try; a permanent error marks it failed with SES's error code.
 * 3. Due reminders: once, to sent and unanswered surveys of programs with `reminderAfter`.
 * 4. Due expiries: unanswered surveys whose link expired become `expired`.
 */
import { Duration } from 'luxon';
import { log } from '../adapters/log.js';
import { PermanentSendError, TransientSendError } from '../adapters/mailer.js';
import type { Program } from '../config/schema.js';
import type { Invitation } from '../contracts/invitation.js';
import { renderSurveyEmail } from '../domain/email.js';
import { addIsoDuration } from '../domain/time.js';
import type { Runtime } from '../runtime.js';

export interface DispatchOptions {
  /** Due invitations read per shard per page. */
  batchSize?: number;
  /** How long a claim is held before it counts as abandoned. */
  leaseSeconds?: number;
  /** How long a transiently failed send waits before the next try. */
  retryAfterSeconds?: number;
  /** Sends in flight at once. */
  concurrency?: number;
  /** Keep taking due pages for this long (a Lambda tick uses most of its time); 0: one page. */
  budgetMs?: number;
}

export interface DispatchResult {
  sent: number;
  failed: number;
  retried: number;
  /** Due invitations another dispatcher claimed first. */
  lostRaces: number;
  /** Claimed but not sent: too late to ask, or opted out / suppressed since intake. */
  skipped: number;
  /** Abandoned claims found this tick and marked `unknown`. */
  unknown: number;
  reminders: number;
  expired: number;
  /** How long the oldest due invitation had waited past its send time (0 when none). */
  backlogAgeSeconds: number;
}

type SendOutcome = 'sent' | 'failed' | 'retried' | 'lostRaces' | 'skipped';

/** Throttled by SES: hold every send this long before trying again. */
const THROTTLE_PAUSE_MS = 1000;

export async function dispatch(
  rt: Runtime,
  now: Date,
  options: DispatchOptions = {},
): Promise<DispatchResult> {
  const {
    batchSize = 25,
    leaseSeconds = 300,
    retryAfterSeconds = 60,
    concurrency = 8,
    budgetMs = 0,
  } = options;
  // A tick may run for most of a minute: `now` advances with the real time spent.
  const started = performance.now();
  const clock = () => new Date(now.getTime() + (performance.now() - started));
  const withinBudget = () => performance.now() - started < budgetMs;
  const result: DispatchResult = {
    sent: 0,
    failed: 0,
    retried: 0,
    lostRaces: 0,
    skipped: 0,
    unknown: 0,
    reminders: 0,
    expired: 0,
    backlogAgeSeconds: 0,
  };

  for (const { invitationId } of await rt.invitations.dueIn('LEASE', now, batchSize)) {
    if (await rt.invitations.markUnknown(invitationId, now)) {
      result.unknown += 1;
      log.warn('dispatch.unknown', {
        invitationId,
        why: 'lease expired before the send was recorded',
      });
    }
  }

  for (let page = 0; ; page++) {
    const at = clock();
    const due = await rt.invitations.due(at, batchSize);
    if (page === 0 && due.length) {
      const oldest = due.reduce((min, d) => (d.sendAt < min ? d.sendAt : min), at.toISOString());
      result.backlogAgeSeconds = Math.max(0, (at.getTime() - Date.parse(oldest)) / 1000);
    }
    if (!due.length) break;
    const before = result.sent + result.failed + result.retried + result.skipped;
    const limiter = await rt.sendLimiter();
    await inParallel(due, concurrency, async ({ invitationId }) => {
      result[
        await sendOne(rt, invitationId, clock, limiter, { leaseSeconds, retryAfterSeconds })
      ] += 1;
    });
    // Stop when out of time, or when a page moved nothing (index entries not yet caught up).
    if (!withinBudget() || result.sent + result.failed + result.retried + result.skipped === before)
      break;
  }

  for (const { invitationId } of await rt.invitations.dueIn('REMIND', clock(), batchSize)) {
    if (await remindOne(rt, invitationId, clock)) result.reminders += 1;
  }
  for (const { invitationId } of await rt.invitations.dueIn('EXPIRE', clock(), batchSize)) {
    if (await rt.invitations.expire(invitationId, clock())) result.expired += 1;
  }

  if (Object.entries(result).some(([key, value]) => key !== 'backlogAgeSeconds' && value > 0)) {
    log.info('dispatch.tick', { ...result });
  }
  return result;
}

async function sendOne(
  rt: Runtime,
  invitationId: string,
  clock: () => Date,
  limiter: Awaited<ReturnType<Runtime['sendLimiter']>>,
  timing: { leaseSeconds: number; retryAfterSeconds: number },
): Promise<SendOutcome> {
  const claimedAt = clock();
  const invitation = await rt.invitations.claim(
    invitationId,
    new Date(claimedAt.getTime() + timing.leaseSeconds * 1000),
  );
  if (!invitation) return 'lostRaces';
  const program = rt.programFor(invitation.touchpoint);
  if (!program || !invitation.email) {
    await rt.invitations.markFailed(invitationId, program ? 'no-email' : 'no-program');
    return 'failed';
  }
  // After an outage, catch up, but do not ask about an interaction long past.
  const lateBy = claimedAt.getTime() - Date.parse(invitation.sendAt ?? invitation.decidedAt);
  if (lateBy > Duration.fromISO(program.maxLateness).toMillis()) {
    await rt.invitations.markNotSent(invitationId, 'skipped', 'too-late');
    log.info('dispatch.too-late', { invitationId, lateBySeconds: Math.round(lateBy / 1000) });
    return 'skipped';
  }
  const stopped = await contactStopped(rt, invitation);
  if (stopped) {
    await rt.invitations.markNotSent(invitationId, 'cancelled', stopped);
    log.info('dispatch.cancelled', { invitationId, reason: stopped });
    return 'skipped';
  }

  await limiter.take();
  const sentAt = clock();
  const expiresAt = addIsoDuration(sentAt, program.linkExpiry);
  try {
    const { messageId } = await sendSurveyEmail(rt, invitation, program, expiresAt, false);
    const recorded = await rt.invitations.markSent(invitationId, {
      messageId,
      sentAt,
      expiresAt,
      remindAt: program.reminderAfter ? addIsoDuration(sentAt, program.reminderAfter) : undefined,
    });
    if (!recorded) log.warn('dispatch.sent-after-lease', { invitationId, messageId });
    else log.info('dispatch.sent', { invitationId, messageId });
    return 'sent';
  } catch (error) {
    if (error instanceof PermanentSendError) {
      await rt.invitations.markFailed(invitationId, error.code);
      log.warn('dispatch.failed', { invitationId, error: error.code });
      return 'failed';
    }
    if (error instanceof TransientSendError && error.throttled) limiter.pause(THROTTLE_PAUSE_MS);
    await rt.invitations.release(
      invitationId,
      new Date(clock().getTime() + timing.retryAfterSeconds * 1000),
    );
    log.warn('dispatch.retry', { invitationId, error: (error as Error).name });
    return 'retried';
  }
}

/** The one reminder: only to a sent, unanswered survey of a customer still willing to hear. */
async function remindOne(rt: Runtime, invitationId: string, clock: () => Date): Promise<boolean> {
  const invitation = await rt.invitations.claimReminder(invitationId, clock());
  if (!invitation?.email || !invitation.expiresAt) return false;
  const program = rt.programFor(invitation.touchpoint);
  if (!program || (await contactStopped(rt, invitation))) return false;
  const limiter = await rt.sendLimiter();
  await limiter.take();
  try {
    const { messageId } = await sendSurveyEmail(
      rt,
      invitation,
      program,
      new Date(invitation.expiresAt),
      true,
    );
    await rt.invitations.markReminderSent(invitationId, messageId);
    log.info('dispatch.reminded', { invitationId, messageId });
    return true;
  } catch (error) {
    // At most one reminder: a failed one is not retried (the survey itself was delivered).
    log.warn('dispatch.reminder-failed', { invitationId, error: (error as Error).name });
    return false;
  }
}

async function contactStopped(
  rt: Runtime,
  invitation: Invitation,
): Promise<'suppressed' | 'opted-out' | undefined> {
  const [suppressed, contact] = await Promise.all([
    invitation.email ? rt.suppressions.reasonFor(invitation.email) : undefined,
    // An opt-out recorded a moment ago may be missed by an eventually consistent read; the
    // half-price read is worth that (opt-outs must be honoured within days, not milliseconds).
    rt.contacts.get(invitation.customerId, { consistent: false }),
  ]);
  if (suppressed) return 'suppressed';
  if (contact.optedOutAt) return 'opted-out';
  return undefined;
}

async function sendSurveyEmail(
  rt: Runtime,
  invitation: Invitation,
  program: Program,
  expiresAt: Date,
  reminder: boolean,
) {
  const { invitationId } = invitation;
  const unsubscribeUntil = addIsoDuration(
    new Date(invitation.decidedAt),
    `P${rt.config.dataRetentionDays}D`,
  );
  const email = renderSurveyEmail({
    invitation,
    program,
    brand: rt.config.brand,
    token: rt.signer.sign({ invitationId, expiresAt }),
    unsubscribeToken: rt.signer.sign({ invitationId, expiresAt: unsubscribeUntil }, 'unsubscribe'),
    baseUrl: rt.publicBaseUrl,
    reminder,
  });
  return rt.mailer.send({
    from: rt.config.sender,
    to: invitation.email!,
    subject: email.subject,
    html: email.html,
    text: email.text,
    headers: email.headers,
    tags: { invitationId, kind: reminder ? 'reminder' : 'survey' },
  });
}

async function inParallel<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
}
