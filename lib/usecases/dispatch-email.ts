/**
 * What dispatch does per email: a reminder taken and sent once, consent looked at again before
 * any send, the survey email signed and rendered, and a bounded parallel map.
 */
import { log } from '../adapters/log.js';
import type { Program } from '../domain/program.js';
import type { Invitation } from '../contracts/invitation.js';
import { nextSendTime } from '../domain/contact-rules.js';
import { renderSurveyEmail, surveySender } from '../domain/email.js';
import { addIsoDuration } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';

/** What dispatch-email reaches of the runtime: its functions are built with these and no more. */
export const DISPATCH_EMAIL_USES = [
  'config',
  'contacts',
  'invitations',
  'mailer',
  'outbox',
  'programFor',
  'publicBaseUrl',
  'sendLimiter',
  'settings',
  'signer',
  'suppressions',
] as const satisfies readonly RuntimePart[];
export type DispatchEmailDeps = Needs<typeof DISPATCH_EMAIL_USES>;

/**
 * The one reminder: only to a sent, unanswered survey of a customer still willing to hear, and
 * inside their send window (put off until it opens; dropped when the survey would close first).
 */
export async function remindOne(
  rt: DispatchEmailDeps,
  invitationId: string,
  clock: () => Date,
): Promise<boolean> {
  const now = clock();
  const current = await rt.invitations.get(invitationId);
  const program = current && rt.programFor(current.touchpoint);
  if (current?.expiresAt && program && !rt.settings.instant) {
    const opensAt = nextSendTime(now, program.sendWindow, current.timeZone);
    if (opensAt > now) {
      await rt.outbox.deferReminder(invitationId, opensAt, current.expiresAt);
      return false;
    }
  }
  const invitation = await rt.outbox.claimReminder(invitationId, now, current);
  if (!invitation?.email || !invitation.expiresAt || !program) return false;
  if (await contactStopped(rt, invitation)) return false;
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
    await rt.outbox.markReminderSent(invitationId, messageId);
    log.info('dispatch.reminded', { invitationId, messageId });
    return true;
  } catch (error) {
    // At most one reminder: a failed one is not retried (the survey itself was delivered).
    log.warn('dispatch.reminder-failed', { invitationId, error: (error as Error).name });
    return false;
  }
}

/**
 * Whether consent stopped since the decision: the address's record (suppressed or opted out under
 * any customer id), and the customer's contact item. The id's own record is read only when no
 * contact item of the current shape stands for it. An opt-out after the decision is on the item
 * whenever there is one: the unsubscribe writes both (unsubscribe.ts), nothing takes `optedOutAt`
 * off an item, and the erasure deletes the item whole. (An item made afresh, by an import once the
 * old one expired, may lack it; an intake after that refuses by the id's record, so no survey of
 * theirs waits to be sent.) Half a read unit a send fewer (issue 19).
 */
export async function contactStopped(
  rt: DispatchEmailDeps,
  invitation: Invitation,
): Promise<'suppressed' | 'opted-out' | undefined> {
  const [block, contact] = await Promise.all([
    invitation.email ? rt.suppressions.reasonFor(invitation.email) : undefined,
    // An opt-out recorded a moment ago may be missed by an eventually consistent read; the
    // half-price read is worth that (opt-outs must be honoured within days, not milliseconds).
    rt.contacts.get(invitation.customerId, { consistent: false }),
  ]);
  if (block === 'opted-out' || contact.optedOutAt) return 'opted-out';
  if (block) return 'suppressed';
  // erased, expired, or of the first key shape (whose opt-outs the record alone may hold)
  if (contact.stored !== 'current') {
    const person = await rt.suppressions.customerConsent(invitation.customerId);
    if (person.optedOutAt) return 'opted-out';
  }
  return undefined;
}

/** The one-click unsubscribe's token of an invitation's emails: valid as long as its data is kept. */
export function unsubscribeTokenFor(
  rt: Pick<DispatchEmailDeps, 'config' | 'signer'>,
  invitation: Invitation,
): Promise<string> {
  const until = addIsoDuration(new Date(invitation.decidedAt), `P${rt.config.dataRetentionDays}D`);
  return rt.signer.sign({ invitationId: invitation.invitationId, expiresAt: until }, 'unsubscribe');
}

export async function sendSurveyEmail(
  rt: DispatchEmailDeps,
  invitation: Invitation,
  program: Program,
  expiresAt: Date,
  reminder: boolean,
) {
  const { invitationId } = invitation;
  const [token, unsubscribeToken] = await Promise.all([
    rt.signer.sign({ invitationId, expiresAt }),
    unsubscribeTokenFor(rt, invitation),
  ]);
  const email = renderSurveyEmail({
    invitation,
    program,
    brand: rt.config.brand,
    branding: rt.config.branding,
    token,
    unsubscribeToken,
    baseUrl: rt.publicBaseUrl,
    reminder,
  });
  return rt.mailer.send({
    // "Display Name" <sender>: the address part stays the bare sender the IAM condition names.
    from: surveySender(rt.config),
    to: invitation.email!,
    subject: email.subject,
    html: email.html,
    text: email.text,
    headers: email.headers,
    tags: { invitationId, kind: reminder ? 'reminder' : 'survey' },
  });
}

export async function inParallel<T>(
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
