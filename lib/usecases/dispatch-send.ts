/**
 * One due survey's send, under the dispatcher's tick: claimed with a conditional update (a lost
 * claim shows an abandoned send, which becomes `unknown`), held to the customer's send window and
 * the program's maxLateness, looked at again for consent, sent through SES at the tick's pace, and
 * recorded; SES's answer decides what happens to a send that fails (see dispatch.ts).
 */
import { Duration } from 'luxon';
import { log } from '../adapters/log.js';
import { PermanentSendError, TransientSendError, UncertainSendError } from '../ports/mailer.js';
import { nextSendTime } from '../domain/contact-rules.js';
import { addIsoDuration } from '../domain/time.js';
import type { Needs, Runtime, RuntimePart } from '../runtime.js';
import type { Invitation } from '../contracts/invitation.js';
import { contactStopped, sendSurveyEmail, DISPATCH_EMAIL_USES } from './dispatch-email.js';

/** What a survey's send reaches of the runtime. */
export const DISPATCH_SEND_USES = [
  ...DISPATCH_EMAIL_USES,
  'outbox',
  'programFor',
  'settings',
] as const satisfies readonly RuntimePart[];
export type DispatchSendDeps = Needs<typeof DISPATCH_SEND_USES>;

export type SendOutcome = 'sent' | 'failed' | 'retried' | 'lostRaces' | 'skipped' | 'unknown';

/** Throttled by SES: hold every send this long before trying again. */
const THROTTLE_PAUSE_MS = 1000;

/** Tries of the write that records an accepted send, and the first pause between them. */
const RECORD_ATTEMPTS = 4;
const RECORD_BACKOFF_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function sendOne(
  rt: DispatchSendDeps,
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
  // Erased while being sent, then put back (a closed window, throttling): nobody to send to.
  if (invitation.erasedAt) {
    await rt.outbox.markNotSent(invitationId, 'cancelled', 'erased');
    return 'skipped';
  }
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
  rt: DispatchSendDeps,
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
