/** Unsubscribing: the customer behind a survey's link opted out of every program, for good. */
import { log } from '../adapters/log.js';
import { InvitationNotFoundError } from '../domain/errors.js';
import type { Needs, RuntimePart } from '../runtime.js';

export const UNSUBSCRIBE_USES = [
  'contacts',
  'invitations',
  'signer',
  'suppressions',
] as const satisfies readonly RuntimePart[];
export type UnsubscribeDeps = Needs<typeof UNSUBSCRIBE_USES>;

/**
 * Opts the customer behind an unsubscribe link out of every program, at once. Works for any
 * invitation state: a customer may unsubscribe from an old or closed survey's email.
 */
export async function unsubscribe(
  rt: UnsubscribeDeps,
  token: string,
  now: Date,
  options: { record: boolean },
): Promise<{ locale: string }> {
  const { invitationId } = await rt.signer.verify(token, now, 'unsubscribe');
  const invitation = await rt.invitations.get(invitationId);
  if (!invitation) throw new InvitationNotFoundError(invitationId);
  // An erased invitation names nobody, but keeps the address's keyed hash: the person is opted out.
  if (options.record && invitation.erasedAt) {
    if (invitation.addressRef) {
      await rt.suppressions.optOutAddress({ ref: invitation.addressRef }, now);
    }
    log.info('answer.unsubscribed', { invitationId });
  } else if (options.record) {
    // The customer id and the person: the same address under another id is not asked again.
    const addressRef = invitation.email
      ? await rt.suppressions.ref('address', invitation.email)
      : undefined;
    // The contact item first: the dispatcher's last look before a send reads the item and the
    // address's record, and the id's record only without an item (contactStopped), so an opt-out
    // must never stand in the records alone. Should a write after it fail, the error page asks
    // again, and every write here keeps the first time.
    await rt.contacts.optOut(invitation.customerId, now, addressRef);
    // Kept by keyed hashes for good (the contact item expires with the rest of their data).
    await rt.suppressions.recordOptOut(invitation.customerId, addressRef, now);
    log.info('answer.unsubscribed', { invitationId });
  }
  return { locale: invitation.locale };
}
