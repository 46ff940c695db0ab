/**
 * Intake: turns one Interaction Completed event into one recorded decision.
 *
 * Primary course:
 * 1. Validate the event against the v1 contract (also: nested no deeper than the contract, an
 *    occurredAt at most 24 hours ahead); an invalid one writes nothing and throws
 *    InvalidEventError naming every problem (the caller dead-letters it).
 * 2. A redelivery finds the first decision and returns it (the idempotency key is the event's
 *    source with its interaction id); a different payload under the same key is logged as a
 *    conflict (by id only) and the first is kept. An event under a day old is found by the
 *    conditional create at step 5, which takes back a contact claim made on the way; an older
 *    one (a replay, a redrive) is looked up first.
 * 3. Decide (intake-decide.ts), in this order (checks that need no read first): no-program,
 *    disabled, no-email, invalid-email, not-sampled, opted-out, suppressed (after a bounce or
 *    complaint), then the contact rules (global and per-program cool-down, rolling cap). A
 *    customer with an erasure on record has their decision looked up first.
 * 4. A survey passing every rule claims the customer's contact state with a conditional write on
 *    the version read, so of two concurrent interactions only one can pass; the loser reads again
 *    and decides again (now: cool-down).
 * 5. Write the decision once per interaction (conditional put), with its send time: occurredAt +
 *    delay, moved into the customer's send window (now, in instant mode).
 */
import { asFunction } from '../adapters/function-scope.js';
import { log } from '../adapters/log.js';
import { INTERACTION_COMPLETED, type InteractionCompleted } from '../contracts/interaction.js';
import type { Invitation } from '../contracts/invitation.js';
import { interactionKey, invitationIdFor, payloadHash } from '../domain/ids.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { decide } from './intake-decide.js';
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

/**
 * Events older than this look their decision up before deciding. EventBridge's and Lambda's own
 * retries of an event mostly come sooner, and are found by the conditional create instead (half a
 * read unit saved on every first delivery, issue 19); an archive's replay or a redrive comes later,
 * and the lookup spares it deciding again and claiming a contact only to take it back. (A claim is
 * taken back only when the decision found does not stand on it: see `contactVersion`.)
 */
const LOOK_UP_OLDER_THAN_MS = 86_400_000;

/** Claims lost to concurrent interactions of the same customer before giving up (EventBridge retries). */
const MAX_CLAIM_ATTEMPTS = 8;

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
  // A launch's run is retried or run again within its period: each drawn customer looked up.
  const lookUp =
    launched || now.getTime() - Date.parse(interaction.occurredAt) > LOOK_UP_OLDER_THAN_MS;
  if (lookUp) {
    // Eventually consistent: a replay comes long after the first delivery's write.
    const earlier = await rt.invitations.get(invitationId, { consistent: false });
    if (earlier) return duplicateOf(earlier, hash);
  }

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
      lookedUp: lookUp,
    });
    if (decision === 'contended') continue;
    if ('earlier' in decision) return duplicateOf(decision.earlier, hash);
    const { invitation, claim, contactVersion } = decision;
    const result = await rt.invitations.create(invitation, rt.config.dataRetentionDays, {
      contactVersion,
    });
    if (!result.created) {
      // A redelivery that passed the contact rules again: no survey stands behind its claim.
      // Unless the decision found stands on it: this call's own put (the SDK retried one that
      // went through), or a concurrent delivery's that found this claim and went on with it.
      const [read, claimed] = claim ?? [];
      if (
        read &&
        claimed &&
        result.existingContactVersion !== claimed.version &&
        !(await rt.contacts.releaseClaim(interaction.customer.id, read, claimed))
      ) {
        log.warn('intake.claim-kept', { invitationId });
      }
      return duplicateOf(result.existing, hash);
    }
    log.info('intake.decided', {
      invitationId,
      touchpoint: invitation.touchpoint,
      status: invitation.status,
      reason: invitation.reason,
    });
    return { invitationId, status: invitation.status, reason: invitation.reason, duplicate: false };
  }
  throw new ContactContentionError(
    `customer contact state changed ${MAX_CLAIM_ATTEMPTS} times while deciding invitation ${invitationId}`,
  );
}

function duplicateOf(existing: Invitation, hash: string): IntakeResult {
  // (an erased decision keeps no payload hash to compare)
  if (existing.payloadHash !== hash && !existing.erasedAt) {
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
