/**
 * Dispatch: sends due invitations, at most once each.
 *
 * Primary course:
 * 1. Find due invitations in the sparse outbox index (every shard; no Scan).
 * 2. Claim each with a conditional update (scheduled → sending, out of the outbox); a lost race
 *    means another dispatcher has it, so this one moves on.
 * 3. Render the email with a signed link per score and send it through SES.
 *    Before sending, skip it when it is later than the program's maxLateness (`too-late`), and
 *    cancel it when the customer opted out or the address was suppressed since intake.
 * 4. Record SES's message id (sent). A transient failure puts it back in the outbox for a later
 *    tick; a permanent one marks it failed with the reason.
 */
import { Duration } from 'luxon';
import { log } from '../adapters/log.js';
import { PermanentSendError } from '../adapters/mailer.js';
import { renderSurveyEmail } from '../domain/email.js';
import { addIsoDuration } from '../domain/time.js';
import type { Runtime } from '../runtime.js';

export interface DispatchOptions {
  /** Due invitations read per shard per tick. */
  batchSize?: number;
  /** How long a claim is held before it counts as abandoned. */
  leaseSeconds?: number;
  /** How long a transiently failed send waits before the next try. */
  retryAfterSeconds?: number;
  /** Sends in flight at once. */
  concurrency?: number;
}

export interface DispatchResult {
  sent: number;
  failed: number;
  retried: number;
  /** Due invitations another dispatcher claimed first. */
  lostRaces: number;
  /** Claimed but not sent: too late to ask, or opted out / suppressed since intake. */
  skipped: number;
  /** How long the oldest due invitation has waited past its send time (0 when none). */
  backlogAgeSeconds: number;
}

type Outcome = 'sent' | 'failed' | 'retried' | 'lostRaces' | 'skipped';

export async function dispatch(
  rt: Runtime,
  now: Date,
  options: DispatchOptions = {},
): Promise<DispatchResult> {
  const { batchSize = 25, leaseSeconds = 300, retryAfterSeconds = 60, concurrency = 8 } = options;
  const due = await rt.invitations.due(now, batchSize);
  const oldest = due.reduce((min, d) => (d.sendAt < min ? d.sendAt : min), now.toISOString());
  const result: DispatchResult = {
    sent: 0,
    failed: 0,
    retried: 0,
    lostRaces: 0,
    skipped: 0,
    backlogAgeSeconds: Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000),
  };
  const queue = due.map((d) => d.invitationId);
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const outcome: Outcome = await sendOne(rt, id, now, leaseSeconds, retryAfterSeconds);
      result[outcome] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  if (due.length) log.info('dispatch.tick', { due: due.length, ...result });
  return result;
}

async function sendOne(
  rt: Runtime,
  invitationId: string,
  now: Date,
  leaseSeconds: number,
  retryAfterSeconds: number,
): Promise<Outcome> {
  const invitation = await rt.invitations.claim(
    invitationId,
    new Date(now.getTime() + leaseSeconds * 1000),
  );
  if (!invitation) return 'lostRaces';
  const program = rt.programFor(invitation.touchpoint);
  if (!program || !invitation.email) {
    await rt.invitations.markFailed(invitationId, program ? 'no-email' : 'no-program');
    return 'failed';
  }
  // After an outage, catch up, but do not ask about an interaction long past.
  const lateBy = now.getTime() - Date.parse(invitation.sendAt ?? invitation.decidedAt);
  if (lateBy > Duration.fromISO(program.maxLateness).toMillis()) {
    await rt.invitations.markNotSent(invitationId, 'skipped', 'too-late');
    log.info('dispatch.too-late', { invitationId, lateBySeconds: Math.round(lateBy / 1000) });
    return 'skipped';
  }
  // Opt-outs and suppressions since intake are honoured at once.
  const [suppressed, contact] = await Promise.all([
    rt.suppressions.reasonFor(invitation.email),
    rt.contacts.get(invitation.customerId),
  ]);
  if (suppressed || contact.optedOutAt) {
    const reason = suppressed ? 'suppressed' : 'opted-out';
    await rt.invitations.markNotSent(invitationId, 'cancelled', reason);
    log.info('dispatch.cancelled', { invitationId, reason });
    return 'skipped';
  }
  const expiresAt = addIsoDuration(now, program.linkExpiry);
  const token = rt.signer.sign({ invitationId, expiresAt });
  const email = renderSurveyEmail({
    invitation,
    program,
    brand: rt.config.brand,
    token,
    baseUrl: rt.publicBaseUrl,
  });
  try {
    const { messageId } = await rt.mailer.send({
      from: rt.config.sender,
      to: invitation.email,
      subject: email.subject,
      html: email.html,
      text: email.text,
      tags: { invitationId },
    });
    await rt.invitations.markSent(invitationId, messageId, now, expiresAt);
    log.info('dispatch.sent', { invitationId, messageId });
    return 'sent';
  } catch (error) {
    if (error instanceof PermanentSendError) {
      await rt.invitations.markFailed(invitationId, error.code);
      log.warn('dispatch.failed', { invitationId, error: error.code });
      return 'failed';
    }
    await rt.invitations.release(invitationId, new Date(now.getTime() + retryAfterSeconds * 1000));
    log.warn('dispatch.retry', { invitationId, error: (error as Error).name });
    return 'retried';
  }
}
