/**
 * Intake: turns one Interaction Completed event into one recorded decision.
 *
 * Primary course:
 * 1. Validate the event against the v1 contract; an invalid one writes nothing and throws
 *    InvalidEventError naming every problem (the caller dead-letters it).
 * 2. Find the program for the touchpoint.
 * 3. Decide: skipped (no-program, disabled, no-email, invalid-email, suppressed after a bounce
 *    or complaint) or scheduled at occurredAt + the program's delay (now, in instant mode).
 * 4. Write the decision once per interaction; a redelivery gets the first decision back, and a
 *    different payload under the same interaction id is logged as a conflict (by id only).
 */
import * as z from 'zod';
import { log } from '../adapters/log.js';
import {
  describeIssues,
  InteractionCompletedV1,
  INTERACTION_COMPLETED,
  type InteractionCompleted,
} from '../contracts/interaction.js';
import type { Invitation, SkipReason } from '../contracts/invitation.js';
import { InvalidEventError } from '../domain/errors.js';
import { invitationIdFor, payloadHash } from '../domain/ids.js';
import { addIsoDuration } from '../domain/time.js';
import type { Runtime } from '../runtime.js';

export interface IntakeResult {
  invitationId: string;
  status: Invitation['status'];
  reason?: string;
  duplicate: boolean;
}

const emailAddress = z.email();

export function parseInteraction(detailType: string, detail: unknown): InteractionCompleted {
  if (detailType !== INTERACTION_COMPLETED) {
    throw new InvalidEventError([
      `detail-type: expected "${INTERACTION_COMPLETED}", got "${detailType}"`,
    ]);
  }
  const parsed = InteractionCompletedV1.safeParse(detail);
  if (!parsed.success) throw new InvalidEventError(describeIssues(parsed.error, 'detail'));
  return parsed.data;
}

export async function intake(
  rt: Runtime,
  event: { 'detail-type': string; detail: unknown },
  now: Date,
): Promise<IntakeResult> {
  const interaction = parseInteraction(event['detail-type'], event.detail);
  let decision = decide(rt, interaction, now);
  if (decision.status === 'scheduled' && decision.email) {
    const suppressed = await rt.suppressions.reasonFor(decision.email);
    if (suppressed)
      decision = { ...decision, status: 'skipped', reason: 'suppressed', sendAt: undefined };
  }
  const result = await rt.invitations.create(decision, rt.config.dataRetentionDays);
  if (result.created) {
    log.info('intake.decided', {
      invitationId: decision.invitationId,
      touchpoint: decision.touchpoint,
      status: decision.status,
      reason: decision.reason,
    });
    return {
      invitationId: decision.invitationId,
      status: decision.status,
      reason: decision.reason,
      duplicate: false,
    };
  }
  const { existing } = result;
  if (existing.payloadHash !== decision.payloadHash) {
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

function decide(rt: Runtime, interaction: InteractionCompleted, now: Date): Invitation {
  const { customer } = interaction;
  const program = rt.programFor(interaction.touchpoint);
  const base: Invitation = {
    invitationId: invitationIdFor(interaction.interactionId),
    interactionId: interaction.interactionId,
    payloadHash: payloadHash(interaction),
    status: 'skipped',
    customerId: customer.id,
    email: customer.email,
    name: customer.name,
    touchpoint: interaction.touchpoint,
    channel: interaction.channel,
    segment: customer.segment,
    journeyId: interaction.journey?.id,
    journeyStep: interaction.journey?.step,
    attributes: interaction.attributes,
    locale: customer.locale ?? program?.fallbackLocale ?? 'en',
    timeZone: customer.timeZone ?? rt.config.defaultCustomerTimeZone ?? rt.config.timeZone,
    metric: program?.metric,
    occurredAt: new Date(interaction.occurredAt).toISOString(),
    decidedAt: now.toISOString(),
  };
  const skip = (reason: SkipReason): Invitation => ({ ...base, status: 'skipped', reason });
  if (!program) return skip('no-program');
  if (!program.enabled) return skip('disabled');
  if (!customer.email?.trim()) return skip('no-email');
  if (!emailAddress.safeParse(customer.email.trim()).success) return skip('invalid-email');
  const sendAt = rt.settings.instant
    ? now
    : addIsoDuration(new Date(interaction.occurredAt), program.delay);
  return {
    ...base,
    email: customer.email.trim(),
    status: 'scheduled',
    sendAt: sendAt.toISOString(),
  };
}
