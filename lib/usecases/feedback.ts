/**
 * SES feedback: delivery, bounce and complaint events (configuration set → EventBridge) update the
 * invitation they belong to (found through the `invitationId` message tag), and a permanent bounce
 * or a complaint suppresses the address for every later survey.
 *
 * Primary course:
 * 1. Parse the SES event; other event types (send, open, click…) are ignored.
 * 2. Find the invitation by the message tag; an untagged or unknown message is ignored.
 * 3. Record the event's time on the invitation and move its status where that applies.
 * 4. Suppress the address after a permanent bounce or a complaint.
 */
import { asFunction } from '../adapters/function-scope.js';
import * as z from 'zod';
import { log } from '../adapters/log.js';
import { describeIssues } from '../contracts/interaction.js';
import { InvalidEventError } from '../domain/errors.js';
import type { Needs, RuntimePart } from '../runtime.js';
import type { Invitation } from '../contracts/invitation.js';
import type { Address } from '../store/suppressions.js';

/** What feedback reaches of the runtime: its functions are built with these and no more. */
export const FEEDBACK_USES = [
  'invitations',
  'suppressions',
] as const satisfies readonly RuntimePart[];
export type FeedbackDeps = Needs<typeof FEEDBACK_USES>;

const SesEvent = z.object({
  eventType: z.string(),
  mail: z.object({
    messageId: z.string(),
    timestamp: z.string().optional(),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  delivery: z.object({ timestamp: z.string() }).optional(),
  bounce: z.object({ bounceType: z.string(), timestamp: z.string() }).optional(),
  complaint: z.object({ timestamp: z.string() }).optional(),
});

export type FeedbackOutcome = 'delivered' | 'bounced' | 'soft-bounce' | 'complained' | 'ignored';

/** One SES event, as the feedback function. */
export function recordSesFeedback(
  ...args: Parameters<typeof recordFeedback>
): ReturnType<typeof recordFeedback> {
  return asFunction('feedback', () => recordFeedback(...args));
}

async function recordFeedback(rt: FeedbackDeps, detail: unknown): Promise<FeedbackOutcome> {
  const parsed = SesEvent.safeParse(detail);
  if (!parsed.success) throw new InvalidEventError(describeIssues(parsed.error, 'detail'));
  const event = parsed.data;
  const invitationId = event.mail.tags?.invitationId?.[0];
  if (!invitationId) return ignored('untagged', event.mail.messageId);
  // A review follow-up email's feedback is not the survey's: it suppresses, and counts nowhere.
  const reviewEmail = event.mail.tags?.kind?.[0] === 'review';
  if (reviewEmail && event.eventType === 'Delivery') return done('delivered', invitationId);
  // Deliveries, by far the most events, need no read: the conditional write finds the invitation.
  if (event.eventType === 'Delivery') {
    const at = new Date(event.delivery?.timestamp ?? event.mail.timestamp ?? Date.now());
    const found = await rt.invitations.recordFeedback(invitationId, 'deliveredAt', at, {
      to: 'delivered',
      from: ['sent'],
    });
    if (!found) return ignored('unknown-invitation', event.mail.messageId);
    return done('delivered', invitationId);
  }
  const invitation = await rt.invitations.get(invitationId);
  if (!invitation) return ignored('unknown-invitation', event.mail.messageId);

  switch (event.eventType) {
    case 'Bounce': {
      if (!event.bounce) return ignored('bounce-without-details', event.mail.messageId);
      if (event.bounce.bounceType !== 'Permanent') return done('soft-bounce', invitationId);
      const at = new Date(event.bounce.timestamp);
      if (!reviewEmail) {
        await rt.invitations.recordFeedback(invitationId, 'bouncedAt', at, {
          to: 'bounced',
          from: ['sent', 'delivered'],
        });
      }
      const address = addressOf(invitation);
      if (address) await rt.suppressions.suppress(address, 'bounce', at);
      return done('bounced', invitationId);
    }
    case 'Complaint': {
      const at = new Date(event.complaint?.timestamp ?? event.mail.timestamp ?? Date.now());
      if (!reviewEmail) await rt.invitations.recordFeedback(invitationId, 'complainedAt', at);
      const address = addressOf(invitation);
      if (address) await rt.suppressions.suppress(address, 'complaint', at);
      return done('complained', invitationId);
    }
    default:
      return ignored(`event-type ${event.eventType}`, event.mail.messageId);
  }
}

/** The address to suppress: an erased invitation keeps only its keyed hash. */
function addressOf(invitation: Invitation): Address | undefined {
  if (invitation.email) return invitation.email;
  return invitation.addressRef ? { ref: invitation.addressRef } : undefined;
}

function done(outcome: FeedbackOutcome, invitationId: string): FeedbackOutcome {
  log.info('feedback.recorded', { invitationId, outcome });
  return outcome;
}

function ignored(why: string, messageId: string): FeedbackOutcome {
  log.info('feedback.ignored', { messageId, why });
  return 'ignored';
}
