/**
 * Intake: turns one Interaction Completed event into one recorded decision.
 *
 * Primary course:
 * 1. Validate the event against the v1 contract (also: nested no deeper than the contract, an
 *    occurredAt at most 24 hours ahead); an invalid one writes nothing and throws
 *    InvalidEventError naming every problem (the caller dead-letters it).
 * 2. A redelivery finds the first decision and returns it (the idempotency key is the event's
 *    source with its interaction id); a different payload under the same key is logged as a
 *    conflict (by id only) and the first is kept.
 * 3. Decide, in this order (checks that need no read first): no-program, disabled, no-email,
 *    invalid-email, not-sampled, suppressed (after a bounce or complaint), opted-out, then the
 *    contact rules (global and per-program cool-down, rolling cap).
 * 4. A survey passing every rule claims the customer's contact state with a conditional write on
 *    the version read, so of two concurrent interactions only one can pass; the loser reads again
 *    and decides again (now: cool-down).
 * 5. Write the decision once per interaction (conditional put), with its send time: occurredAt +
 *    delay, moved into the customer's send window (now, in instant mode).
 */
import { asFunction } from '../adapters/function-scope.js';
import * as z from 'zod';
import { log } from '../adapters/log.js';
import type { Program } from '../domain/program.js';
import { INTERACTION_COMPLETED, type InteractionCompleted } from '../contracts/interaction.js';
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
import { interactionKey, invitationIdFor, payloadHash } from '../domain/ids.js';
import { addIsoDuration } from '../domain/time.js';
import { valueOf } from '../domain/value.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { parseInteraction } from './interaction-input.js';

/** What intake reaches of the runtime: its functions are built with these and no more. */
export const INTAKE_USES = [
  'config',
  'contacts',
  'invitations',
  'programFor',
  'settings',
  'suppressions',
] as const satisfies readonly RuntimePart[];
export type IntakeDeps = Needs<typeof INTAKE_USES>;

export interface IntakeResult {
  invitationId: string;
  status: Invitation['status'];
  reason?: string;
  duplicate: boolean;
}

/** Claims lost to concurrent interactions of the same customer before giving up (EventBridge retries). */
const MAX_CLAIM_ATTEMPTS = 8;

const emailAddress = z.email();

export class ContactContentionError extends Error {
  override name = 'ContactContentionError';
}

/** Intake of one event, as the intake function. */
export function intake(...args: Parameters<typeof intakeEvent>): ReturnType<typeof intakeEvent> {
  return asFunction('intake', () => intakeEvent(...args));
}

/** The source of the invitations a tracking or periodic program's run makes. */
export const LAUNCH_SOURCE = 'afterword.launch';

/**
 * One invitation of a tracking or periodic run, decided like an interaction's (idempotent by its
 * id, contact rules, suppression, send window) but not counted as the customer being seen.
 */
export function launchInvitation(
  rt: IntakeDeps,
  interaction: InteractionCompleted,
  now: Date,
): Promise<IntakeResult> {
  return intakeEvent(
    rt,
    { 'detail-type': INTERACTION_COMPLETED, source: LAUNCH_SOURCE, detail: interaction },
    now,
    { launched: true },
  );
}

async function intakeEvent(
  rt: IntakeDeps,
  event: { 'detail-type': string; source: string; detail: unknown },
  now: Date,
  { launched = false }: { launched?: boolean } = {},
): Promise<IntakeResult> {
  const interaction = parseInteraction(event['detail-type'], event.detail, now);
  const key = interactionKey(event.source, interaction.interactionId);
  const invitationId = invitationIdFor(event.source, interaction.interactionId);
  const hash = payloadHash(interaction);
  // EventBridge redelivers after its retry delay, long after an eventually consistent read
  // would see the first delivery's write; the conditional create catches the rest.
  const earlier = await rt.invitations.get(invitationId, { consistent: false });
  if (earlier) return duplicateOf(earlier, hash);

  for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
    // The first attempt reads the contact state eventually consistently (half the price); a
    // stale read fails the conditional claim, and the next attempt reads consistently.
    const decision = await decide(rt, interaction, {
      invitationId,
      source: event.source,
      key,
      hash,
      now,
      consistent: attempt > 1,
      launched,
    });
    if (decision === 'contended') continue;
    const result = await rt.invitations.create(decision, rt.config.dataRetentionDays);
    if (!result.created) return duplicateOf(result.existing, hash);
    log.info('intake.decided', {
      invitationId,
      touchpoint: decision.touchpoint,
      status: decision.status,
      reason: decision.reason,
    });
    return { invitationId, status: decision.status, reason: decision.reason, duplicate: false };
  }
  throw new ContactContentionError(
    `customer contact state changed ${MAX_CLAIM_ATTEMPTS} times while deciding invitation ${invitationId}`,
  );
}

function duplicateOf(existing: Invitation, hash: string): IntakeResult {
  if (existing.payloadHash !== hash) {
    log.warn('intake.conflict', {
      invitationId: existing.invitationId,
      message: 'same interaction id, different payload: the first one is kept',
    });
  }
  return {
    invitationId: existing.invitationId,
    status: existing.status,
    reason: existing.reason,
    duplicate: true,
  };
}

async function decide(
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
  },
): Promise<Invitation | 'contended'> {
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
  if (person.erasedAt && base.occurredAt <= person.erasedAt) {
    return {
      ...base,
      customerId: ERASED_CUSTOMER_ID,
      email: undefined,
      name: undefined,
      attributes: undefined,
      erasedAt: person.erasedAt,
      reason: 'erased',
    };
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
  let contact: ContactState | undefined;
  // A claim carries the profile in the write it makes anyway; a skip writes it on its own, only
  // when a field changes or the last-seen day has grown a week stale (a daily visitor would
  // otherwise cost a write a day).
  const skip = async (reason: SkipReason): Promise<Invitation> => {
    // Nobody who must not be contacted gets a profile back in the directory.
    if (seen && reason !== 'opted-out' && reason !== 'suppressed' && !person.optedOutAt) {
      contact ??= await rt.contacts.get(customer.id, { consistent: ids.consistent });
      const profile =
        !contact.optedOutAt && updatedProfile(contact.profile, seen, SEEN_REFRESH_DAYS);
      if (profile) await rt.contacts.recordProfile(customer.id, contact, profile);
    }
    return { ...base, reason };
  };

  if (!program) return skip('no-program');
  if (!program.enabled) return skip('disabled');
  if (!base.email) return skip('no-email');
  if (!emailAddress.safeParse(base.email).success) return skip('invalid-email');
  if (!isSampled(interaction.interactionId, program.touchpoint, program.sampling)) {
    return skip('not-sampled');
  }
  contact = await rt.contacts.get(customer.id, { consistent: ids.consistent });
  // The id's own opt-out outlives the contact item (expired, erased, or written afresh since).
  if (contact.optedOutAt || person.optedOutAt) return skip('opted-out');
  // The person, not only this id: an address suppressed or opted out under any customer id.
  const block = await rt.suppressions.reasonFor(base.email);
  if (block === 'opted-out') return skip('opted-out');
  if (block) return skip('suppressed');

  // A retry of an interaction whose claim went through (but whose decision was not written)
  // finds its own claim and goes on, rather than tripping over it as a cool-down.
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
  }
  return {
    ...base,
    status: 'scheduled',
    sendAt: sendTime(rt, program, occurredAt, base.timeZone, ids.now),
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
