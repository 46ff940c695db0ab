/** `ses-event`: SES feedback injected on the local stack. */
import { putOnLocalBus, withLocalRuntime } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { sesEvent as spec } from '../commands.js';

const SES_EVENTS = {
  delivery: { detailType: 'Email Delivered', eventType: 'Delivery' },
  bounce: { detailType: 'Email Bounced', eventType: 'Bounce', bounceType: 'Permanent' },
  'soft-bounce': { detailType: 'Email Bounced', eventType: 'Bounce', bounceType: 'Transient' },
  complaint: { detailType: 'Email Complaint Received', eventType: 'Complaint' },
} as const;

/** Puts an SES-shaped event on the local bus's default bus, where SES would publish it. */
export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values, positionals } = input;
  const kind = positionals[0] as keyof typeof SES_EVENTS | undefined;
  if (!kind || !(kind in SES_EVENTS)) {
    throw new UsageError(
      `ses-event needs one of ${Object.keys(SES_EVENTS).join(', ')}, got "${kind ?? ''}"`,
    );
  }
  if (!values.invitation) throw new UsageError('ses-event needs --invitation <invitation id>');
  const invitationId = values.invitation;
  const known = await withLocalRuntime((rt) => rt.invitations.get(invitationId));
  if (!known) {
    throw new UsageError(
      `no invitation ${invitationId}: its id is in afterword customer <customer id> and in send's output`,
    );
  }
  const spec = SES_EVENTS[kind];
  const timestamp = new Date().toISOString();
  const detail = {
    eventType: spec.eventType,
    mail: {
      timestamp,
      messageId: `local-${Date.now()}`,
      tags: { invitationId: [values.invitation] },
    },
    ...(spec.eventType === 'Delivery' ? { delivery: { timestamp } } : {}),
    ...('bounceType' in spec ? { bounce: { bounceType: spec.bounceType, timestamp } } : {}),
    ...(spec.eventType === 'Complaint' ? { complaint: { timestamp } } : {}),
  };
  await putOnLocalBus({
    EventBusName: 'default',
    Source: 'aws.ses',
    DetailType: spec.detailType,
    Detail: JSON.stringify(detail),
  });
  process.stdout.write(`accepted: ${spec.detailType} for invitation ${values.invitation}\n`);
  return 0;
}
