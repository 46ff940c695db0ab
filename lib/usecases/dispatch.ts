/**
 * Dispatch: sends due surveys at most once each, never faster than SES allows, then their one
 * reminder, then closes them when their link expires.
 *
 * Primary course of one tick:
 * 0. Take the dispatcher lease, so overlapping runs never send at once (each paces itself to the
 *    SES rate; two together would not be); without it, leave the tick to the holder.
 * 1. Due sends, page by page from the sparse outbox index (every shard, each page reading on
 *    from the last; no Scan), until none are due or the tick's time budget is spent:
 *    a. claim with a conditional update (scheduled → sending, with a lease). A lost claim shows
 *       the invitation as it is: one still `sending` whose lease ran out (the sender died after
 *       claiming) becomes `unknown` and is counted, never sent again, as SES may already have
 *       accepted it (at most once); otherwise another dispatcher has it;
 *    b. outside the customer's send window, put it back until the window opens; skip it when
 *       later than the program's maxLateness (`too-late`), also when the window opens too late;
 *       cancel it when the customer opted out or the address was suppressed since intake;
 *    c. wait for a token (the account's send rate), render, send through SES;
 *    d. record SES's message id (sent), trying the write again; once SES has accepted the
 *       email it is never sent again, so a write that keeps failing leaves the lease to run out
 *       (`unknown`). Only failures that prove the email did not leave (throttling, SES's 4xx
 *       answers) put it back in the outbox; throttling also pauses the bucket. A rejection marks
 *       it failed with SES's error code; a failure that leaves it open (a timeout, a 5xx) marks
 *       it `unknown`.
 * 2. Due reminders: once, to sent and unanswered surveys of programs with `reminderAfter`, inside
 *    the send window (put off until it opens, or dropped when the survey closes first).
 * Expiry needs no step: a sent survey is expired once its link is and it is unanswered (derived
 * where it is read, see domain/expiry.ts), so nothing is written when a link closes.
 */
import { asFunction } from '../adapters/function-scope.js';
import { Duration } from 'luxon';
import { log } from '../adapters/log.js';
import { randomUUID } from 'node:crypto';
import { PermanentSendError, TransientSendError, UncertainSendError } from '../ports/mailer.js';
import { nextSendTime } from '../domain/contact-rules.js';
import { addIsoDuration } from '../domain/time.js';
import type { Needs, Runtime, RuntimePart } from '../runtime.js';
import type { Invitation } from '../contracts/invitation.js';
import type { OutboxPosition } from '../store/outbox.js';
import {
  contactStopped,
  inParallel,
  remindOne,
  sendSurveyEmail,
  DISPATCH_EMAIL_USES,
} from './dispatch-email.js';

/** What dispatch reaches of the runtime: its functions are built with these and no more. */
export const DISPATCH_USES = [
  ...DISPATCH_EMAIL_USES,
  'dispatcherLease',
  'outbox',
  'programFor',
  'sendLimiter',
  'settings',
] as const satisfies readonly RuntimePart[];
export type DispatchDeps = Needs<typeof DISPATCH_USES>;

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
  /**
   * How long to wait for another dispatcher's lease before leaving the tick to it. 0 on AWS (the
   * next tick comes within a minute); the demo waits, as it must send what it replays.
   */
  waitForLeaseMs?: number;
}

export interface DispatchResult {
  /** Another dispatcher held the lease: this run did nothing. */
  busy: boolean;
  sent: number;
  failed: number;
  retried: number;
  /** Due invitations another dispatcher claimed first. */
  lostRaces: number;
  /** Claimed but not sent: too late to ask, or opted out / suppressed since intake. */
  skipped: number;
  /** Abandoned claims found this tick, and sends SES may or may not have accepted: `unknown`. */
  unknown: number;
  reminders: number;
  /** How long the oldest due invitation had waited past its send time (0 when none). */
  backlogAgeSeconds: number;
}

type SendOutcome = 'sent' | 'failed' | 'retried' | 'lostRaces' | 'skipped' | 'unknown';

/** Throttled by SES: hold every send this long before trying again. */
const THROTTLE_PAUSE_MS = 1000;

/** Tries of the write that records an accepted send, and the first pause between them. */
const RECORD_ATTEMPTS = 4;
const RECORD_BACKOFF_MS = 100;

/** The lease outlasts the tick's budget by this much, for the sends in flight and the reminders. */
const LEASE_MARGIN_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function emptyResult(): DispatchResult {
  return {
    busy: false,
    sent: 0,
    failed: 0,
    retried: 0,
    lostRaces: 0,
    skipped: 0,
    unknown: 0,
    reminders: 0,
    backlogAgeSeconds: 0,
  };
}

/**
 * Runs one tick under the dispatcher lease. The lease runs on the wall clock, whatever `now` says:
 * it orders real processes (the demo replays the past while a running stack dispatches the present).
 */
/** One dispatch tick, as the dispatch function. */
export function dispatch(
  ...args: Parameters<typeof dispatchTick>
): ReturnType<typeof dispatchTick> {
  return asFunction('dispatch', () => dispatchTick(...args));
}

async function dispatchTick(
  rt: DispatchDeps,
  now: Date,
  options: DispatchOptions = {},
): Promise<DispatchResult> {
  const holder = randomUUID();
  const leaseMs = (options.budgetMs ?? 0) + LEASE_MARGIN_MS;
  const giveUpAt = Date.now() + (options.waitForLeaseMs ?? 0);
  while (!(await rt.dispatcherLease.acquire(holder, new Date(), new Date(Date.now() + leaseMs)))) {
    if (Date.now() >= giveUpAt) {
      log.info('dispatch.busy', { why: 'another dispatcher holds the lease' });
      return { ...emptyResult(), busy: true };
    }
    await sleep(Math.min(250, Math.max(1, giveUpAt - Date.now())));
  }
  try {
    return await dispatchUnderLease(rt, now, options);
  } finally {
    await rt.dispatcherLease.release(holder);
  }
}

async function dispatchUnderLease(
  rt: DispatchDeps,
  now: Date,
  options: DispatchOptions,
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
  const result = emptyResult();

  const position: OutboxPosition = new Map();
  for (let page = 0; ; page++) {
    const at = clock();
    const due = await rt.outbox.due(at, batchSize, position);
    if (page === 0 && due.length) {
      const oldest = due.reduce((min, d) => (d.sendAt < min ? d.sendAt : min), at.toISOString());
      result.backlogAgeSeconds = Math.max(0, (at.getTime() - Date.parse(oldest)) / 1000);
    }
    if (!due.length) break;
    const limiter = await rt.sendLimiter();
    await inParallel(due, concurrency, async ({ invitationId }) => {
      result[
        await sendOne(rt, invitationId, now, clock, limiter, { leaseSeconds, retryAfterSeconds })
      ] += 1;
    });
    // Each page reads on from the last, so a page of lost claims cannot hold the rest back.
    if (!withinBudget()) break;
  }

  for (const { invitationId } of await rt.outbox.dueIn('REMIND', clock(), batchSize)) {
    if (await remindOne(rt, invitationId, clock)) result.reminders += 1;
  }

  if (
    Object.entries(result).some(
      ([key, value]) => key !== 'backlogAgeSeconds' && typeof value === 'number' && value > 0,
    )
  ) {
    log.info('dispatch.tick', { ...result });
  }
  return result;
}

async function sendOne(
  rt: DispatchDeps,
  invitationId: string,
  tickAt: Date,
  clock: () => Date,
  limiter: Awaited<ReturnType<Runtime['sendLimiter']>>,
  timing: { leaseSeconds: number; retryAfterSeconds: number },
): Promise<SendOutcome> {
  const claimedAt = clock();
  const claim = await rt.outbox.claimOrRead(
    invitationId,
    new Date(claimedAt.getTime() + timing.leaseSeconds * 1000),
  );
  if (!claim.claimed) return abandonedOrLost(rt, invitationId, claim, tickAt);
  const invitation = claim.claimed;
  const program = rt.programFor(invitation.touchpoint);
  if (!program || !invitation.email) {
    await rt.outbox.markFailed(invitationId, program ? 'no-email' : 'no-program');
    return 'failed';
  }
  // After an outage or a throttled retry, catch up, but only inside the customer's send window
  // and never about an interaction long past.
  const plannedAt = Date.parse(invitation.sendAt ?? invitation.decidedAt);
  const opensAt = rt.settings.instant
    ? claimedAt
    : nextSendTime(claimedAt, program.sendWindow, invitation.timeZone);
  const lateBy = opensAt.getTime() - plannedAt;
  if (lateBy > Duration.fromISO(program.maxLateness).toMillis()) {
    await rt.outbox.markNotSent(invitationId, 'skipped', 'too-late');
    log.info('dispatch.too-late', { invitationId, lateBySeconds: Math.round(lateBy / 1000) });
    return 'skipped';
  }
  if (opensAt > claimedAt) {
    await rt.outbox.release(invitationId, opensAt);
    log.info('dispatch.outside-window', { invitationId, until: opensAt.toISOString() });
    return 'retried';
  }
  const stopped = await contactStopped(rt, invitation);
  if (stopped) {
    await rt.outbox.markNotSent(invitationId, 'cancelled', stopped);
    log.info('dispatch.cancelled', { invitationId, reason: stopped });
    return 'skipped';
  }

  await limiter.take();
  const sentAt = clock();
  const expiresAt = addIsoDuration(sentAt, program.linkExpiry);
  let messageId: string;
  try {
    ({ messageId } = await sendSurveyEmail(rt, invitation, program, expiresAt, false));
  } catch (error) {
    if (error instanceof PermanentSendError) {
      await rt.outbox.markFailed(invitationId, error.code);
      log.warn('dispatch.failed', { invitationId, error: error.code });
      return 'failed';
    }
    if (error instanceof TransientSendError) {
      if (error.throttled) limiter.pause(THROTTLE_PAUSE_MS);
      await rt.outbox.release(
        invitationId,
        new Date(clock().getTime() + timing.retryAfterSeconds * 1000),
      );
      log.warn('dispatch.retry', { invitationId, error: error.name });
      return 'retried';
    }
    const code = error instanceof UncertainSendError ? error.code : (error as Error).name;
    await rt.outbox.markUncertain(invitationId, code);
    log.warn('dispatch.unknown', { invitationId, why: 'SES may have accepted it', error: code });
    return 'unknown';
  }
  // SES has the email: from here on it is never sent again, whatever fails.
  const sent = {
    messageId,
    sentAt,
    expiresAt,
    remindAt: program.reminderAfter ? addIsoDuration(sentAt, program.reminderAfter) : undefined,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const recorded = await rt.outbox.markSent(invitationId, sent);
      if (!recorded) log.warn('dispatch.sent-after-lease', { invitationId, messageId });
      else log.info('dispatch.sent', { invitationId, messageId });
      return 'sent';
    } catch (error) {
      if (attempt >= RECORD_ATTEMPTS) {
        // The lease runs out and the survey becomes `unknown`: counted, and never sent twice.
        log.error('dispatch.record-failed', {
          invitationId,
          messageId,
          error: (error as Error).name,
        });
        return 'sent';
      }
      await sleep(RECORD_BACKOFF_MS * 2 ** (attempt - 1));
    }
  }
}

/**
 * A lost claim: a send still `sending` after its lease ran out was abandoned (its sender died
 * between claiming and recording) and becomes `unknown`; anything else is another dispatcher's,
 * or done already (an index entry not yet caught up with the item).
 */
async function abandonedOrLost(
  rt: DispatchDeps,
  invitationId: string,
  { current, inOutbox }: { current: Invitation | undefined; inOutbox: boolean },
  now: Date,
): Promise<SendOutcome> {
  const leaseRanOut =
    current?.status === 'sending' &&
    current.leaseUntil !== undefined &&
    current.leaseUntil <= now.toISOString();
  if (leaseRanOut && (await rt.outbox.markUnknown(invitationId, now))) {
    log.warn('dispatch.unknown', {
      invitationId,
      why: 'lease expired before the send was recorded',
    });
    return 'unknown';
  }
  // Settled, yet still waiting in DUE (an older version's send): it would be read every tick.
  const settled = current && current.status !== 'scheduled' && current.status !== 'sending';
  if (settled && inOutbox) await rt.outbox.leave(invitationId, current.status);
  return 'lostRaces';
}
