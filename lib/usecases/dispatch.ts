/**
 * Dispatch: sends due surveys at most once each, never faster than SES allows, then their one
 * reminder. Nothing is written when a link expires (expiry is derived, see domain/expiry.ts).
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
import { log } from '../adapters/log.js';
import { randomUUID } from 'node:crypto';
import type { Needs, RuntimePart } from '../runtime.js';
import type { OutboxPosition } from '../store/outbox-queue.js';
import { inParallel, remindOne, DISPATCH_EMAIL_USES } from './dispatch-email.js';
import { reviewFollowUpOne, REVIEW_EMAIL_USES } from './review-email.js';
import { sendOne, DISPATCH_SEND_USES } from './dispatch-send.js';

/** What dispatch reaches of the runtime: its functions are built with these and no more. */
export const DISPATCH_USES = [
  ...DISPATCH_EMAIL_USES,
  ...REVIEW_EMAIL_USES,
  ...DISPATCH_SEND_USES,
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
  /** Review follow-up emails sent (domain/review.ts). */
  reviewEmails: number;
  /** How long the oldest due invitation had waited past its send time (0 when none). */
  backlogAgeSeconds: number;
}

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
    reviewEmails: 0,
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
  // Review follow-up emails (domain/review.ts), only where a program sends them: the queue's
  // read is not paid by every idle tick. Each within the tick's budget, one failure not the rest's.
  const reviewEmails = rt.config.programs.some((program) => program.review?.followUpAfter);
  for (const { invitationId } of reviewEmails
    ? await rt.outbox.dueIn('REVIEW', clock(), batchSize)
    : []) {
    // (a tick with no budget, as the local stack's and the tests', takes the batch)
    if (budgetMs > 0 && !withinBudget()) break;
    try {
      if (await reviewFollowUpOne(rt, invitationId, clock)) result.reviewEmails += 1;
    } catch (error) {
      log.warn('dispatch.review-email-failed', { invitationId, error: (error as Error).name });
    }
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
