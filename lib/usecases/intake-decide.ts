/**
 * Intake's decision for one valid interaction (steps 3 and 4 of intake.ts): the checks that need
 * no read first, then consent and the contact rules, and the claim of the customer's contact state
 * for a survey that passes them all.
 */
import * as z from 'zod';
import { log } from '../adapters/log.js';
import type { Program } from '../domain/program.js';
import type { InteractionCompleted } from '../contracts/interaction.js';
import { ERASED_CUSTOMER_ID, type Invitation, type SkipReason } from '../contracts/invitation.js';
import {
  contactRuleBreached,
  isSampled,
  nextSendTime,
  withClaim,
  type ContactState,
} from '../domain/contact-rules.js';
import {
  SEEN_REFRESH_DAYS,
  updatedProfile,
  type CustomerProfile,
} from '../domain/customer-profile.js';
import { addIsoDuration } from '../domain/time.js';
import { valueOf } from '../domain/value.js';
import type { IntakeDeps } from './intake.js';

const emailAddress = z.email();

/**
 * The decision to record, and the contact claim made for it (the state read, and the state
 * claimed): taken back should the decision turn out to be recorded already.
 */
export type Decision =
  | {
      invitation: Invitation;
      claim?: [read: ContactState, claimed: ContactState];
      /** The contact state's version a scheduled decision stands on: its claim's, or the one it found. */
      contactVersion?: number;
    }
  /** The decision recorded already, found by the lookup of a customer with an erasure on record. */
  | { earlier: Invitation }
  | 'contended';

export async function decide(
  rt: IntakeDeps,
  interaction: InteractionCompleted,
  ids: {
    invitationId: string;
    source: string;
    /** The interaction's idempotency key (source and id): what the contact claim remembers. */
    key: string;
    hash: string;
    now: Date;
    consistent: boolean;
    /** A tracking or periodic run's invitation: its program is scheduled, and nobody was seen. */
    launched: boolean;
    /** Whether intake looked the decision up already (an old event, a launch). */
    lookedUp: boolean;
  },
): Promise<Decision> {
  const { customer } = interaction;
  const found = rt.programFor(interaction.touchpoint);
  // An interaction surveys event-based programs only; a scheduled program's run asks by itself.
  const program = found && (found.kind === 'event') !== ids.launched ? found : undefined;
  const occurredAt = new Date(interaction.occurredAt);
  const base: Invitation = {
    invitationId: ids.invitationId,
    interactionId: interaction.interactionId,
    source: ids.source,
    payloadHash: ids.hash,
    status: 'skipped',
    customerId: customer.id,
    email: customer.email?.trim() || undefined,
    name: customer.name,
    touchpoint: interaction.touchpoint,
    channel: interaction.channel,
    segment: customer.segment,
    journeyId: interaction.journey?.id,
    journeyStep: interaction.journey?.step,
    attributes: interaction.attributes,
    ...(program?.value ? valueOf(interaction.attributes, program.value) : {}),
    locale: customer.locale ?? program?.fallbackLocale ?? 'en',
    timeZone: customer.timeZone ?? rt.config.defaultCustomerTimeZone ?? rt.config.timeZone,
    metric: program?.metric,
    occurredAt: occurredAt.toISOString(),
    decidedAt: ids.now.toISOString(),
  };
  // The person's own consent record (by keyed hash of the id): an interaction from before their
  // erasure (a retry, a redrive, one in flight) is recorded without anything that names them.
  const person = await rt.suppressions.customerConsent(customer.id);
  const erased = () => ({
    invitation: {
      ...base,
      // as the erasure's scrub leaves them: a launch's interaction id names the customer
      customerId: ERASED_CUSTOMER_ID,
      interactionId: ERASED_CUSTOMER_ID,
      payloadHash: ERASED_CUSTOMER_ID,
      email: undefined,
      name: undefined,
      attributes: undefined,
      erasedAt: person.erasedAt,
      reason: 'erased' as const,
    },
  });
  let contact: ContactState | undefined;
  if (person.erasedAt) {
    // Rare: a customer with an erasure on record. The decision is looked up first, as an old
    // event's is: a redelivery must not claim a contact item back for them.
    if (!ids.lookedUp) {
      const earlier = await rt.invitations.get(ids.invitationId, { consistent: false });
      if (earlier) return { earlier };
    }
    if (base.occurredAt <= person.erasedAt) return erased();
    // A launch's customers were drawn from the directory before this, and its send slots lie
    // ahead: one erased since they were last seen (the erasure under way, or done since the draw)
    // is erased for it, as an interaction from before the erasure is. Back on a later day: asked.
    if (ids.launched) {
      contact = await rt.contacts.get(customer.id, { consistent: ids.consistent });
      const seenOn = contact.profile?.seenOn;
      if (!(seenOn && seenOn > person.erasedAt.slice(0, 10))) return erased();
    }
  }
  // The customer directory: the profile this interaction shows, when it names a usable address.
  const seen: CustomerProfile | undefined =
    !ids.launched && base.email && emailAddress.safeParse(base.email).success
      ? {
          email: base.email,
          locale: customer.locale,
          timeZone: customer.timeZone,
          segment: customer.segment,
          seenOn: occurredAt.toISOString().slice(0, 10),
        }
      : undefined;
  // A claim carries the profile in the write it makes anyway; a skip writes it on its own, only
  // when a field changes or the last-seen day has grown a week stale (a daily visitor would
  // otherwise cost a write a day).
  const skip = async (reason: SkipReason): Promise<{ invitation: Invitation }> => {
    // Nobody who must not be contacted gets a profile back in the directory.
    if (seen && reason !== 'opted-out' && reason !== 'suppressed' && !person.optedOutAt) {
      contact ??= await rt.contacts.get(customer.id, { consistent: ids.consistent });
      const profile =
        !contact.optedOutAt && updatedProfile(contact.profile, seen, SEEN_REFRESH_DAYS);
      if (profile) await rt.contacts.recordProfile(customer.id, contact, profile);
    }
    return { invitation: { ...base, reason } };
  };

  if (!program) return skip('no-program');
  if (!program.enabled) return skip('disabled');
  if (!base.email) return skip('no-email');
  if (!emailAddress.safeParse(base.email).success) return skip('invalid-email');
  if (!isSampled(interaction.interactionId, program.touchpoint, program.sampling)) {
    return skip('not-sampled');
  }
  contact ??= await rt.contacts.get(customer.id, { consistent: ids.consistent });
  // The id's own opt-out outlives the contact item (expired, erased, or written afresh since).
  if (contact.optedOutAt || person.optedOutAt) {
    // On the item alone (an unsubscribe cut short after its first write, an opt-out of the first
    // key shape): the records that outlive the item, the id's and the address's, are written now,
    // once. Best effort: the skip stands either way, and the next interaction tries again.
    if (contact.optedOutAt && !person.optedOutAt) {
      await rt.suppressions
        .recordOptOut(customer.id, contact.addressRef, new Date(contact.optedOutAt))
        .catch((error: unknown) =>
          log.warn('intake.opt-out-record-failed', { error: (error as Error).name }),
        );
    }
    return skip('opted-out');
  }
  // The person, not only this id: an address suppressed or opted out under any customer id.
  const block = await rt.suppressions.reasonFor(base.email);
  if (block === 'opted-out') return skip('opted-out');
  if (block) return skip('suppressed');

  // A retry of an interaction whose claim went through (but whose decision was not written)
  // finds its own claim and goes on, rather than tripping over it as a cool-down.
  let claim: [read: ContactState, claimed: ContactState] | undefined;
  if (contact.lastInteractionId !== ids.key) {
    const breached = contactRuleBreached(contact, program.touchpoint, occurredAt, {
      globalCoolDown: rt.config.contactRules.globalCoolDown,
      programCoolDown: program.coolDown,
      cap: rt.config.contactRules.cap,
    });
    if (breached) return skip(breached);
    const next = withClaim(
      contact,
      { touchpoint: program.touchpoint, at: occurredAt, interactionId: ids.key },
      rt.config.contactRules.cap.period,
    );
    next.profile = (seen && updatedProfile(contact.profile, seen)) ?? contact.profile;
    if (!(await rt.contacts.claim(customer.id, contact, next))) return 'contended';
    claim = [contact, next];
  }
  return {
    contactVersion: claim ? claim[1].version : contact.version,
    invitation: {
      ...base,
      status: 'scheduled',
      sendAt: sendTime(rt, program, occurredAt, base.timeZone, ids.now),
    },
    claim,
  };
}

function sendTime(
  rt: IntakeDeps,
  program: Program,
  occurredAt: Date,
  timeZone: string,
  now: Date,
): string {
  if (rt.settings.instant) return now.toISOString();
  return nextSendTime(
    addIsoDuration(occurredAt, program.delay),
    program.sendWindow,
    timeZone,
  ).toISOString();
}
