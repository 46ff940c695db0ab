import { beforeAll, describe, expect, it } from 'vitest';
import { submitAnswer } from '../../lib/usecases/answer.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { recordSesFeedback } from '../../lib/usecases/feedback.js';
import { intake } from '../../lib/usecases/intake.js';
import { rollupDay } from '../../lib/usecases/rollup.js';
import { report } from '../../lib/usecases/report.js';
import { event, interaction, testRuntime, type TestRuntime } from '../support/harness.js';

const occurred = '2026-11-23T10:00:00Z';
const due = new Date('2026-11-23T10:31:00Z');

/** An SES event detail as SES publishes it to EventBridge, tagged as dispatch tags its emails. */
function sesEvent(
  eventType: string,
  invitationId: string | undefined,
  extra: Record<string, unknown> = {},
) {
  return {
    eventType,
    mail: {
      messageId: `ses-${Math.random().toString(36).slice(2)}`,
      timestamp: '2026-11-23T10:31:00.000Z',
      ...(invitationId
        ? { tags: { invitationId: [invitationId], 'ses:configuration-set': ['afterword'] } }
        : {}),
    },
    ...extra,
  };
}

describe('SES feedback against DynamoDB Local', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await testRuntime();
  });

  async function sent() {
    const detail = interaction({
      occurredAt: occurred,
      touchpoint: 'support-call',
      channel: 'feedback-test',
    });
    const { invitationId } = await intake(rt, event(detail), new Date(occurred));
    await dispatch(rt, due);
    return { invitationId, detail };
  }

  it('marks a delivered survey, and the response rate is then over delivered', async () => {
    const { invitationId } = await sent();
    const delivery = sesEvent('Delivery', invitationId, {
      delivery: { timestamp: '2026-11-23T10:31:05.000Z' },
    });
    expect(await recordSesFeedback(rt, delivery)).toBe('delivered');
    expect(await recordSesFeedback(rt, delivery)).toBe('delivered'); // redelivered: no change
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'delivered',
      deliveredAt: '2026-11-23T10:31:05.000Z',
    });
    await rollupDay(rt, '2026-11-23');
    const [row] = await report(rt, { from: '2026-11-23', to: '2026-11-23', by: ['channel'] });
    expect(row).toMatchObject({
      channel: 'feedback-test',
      delivered: 1,
      responseRateBasis: 'delivered',
    });
  });

  it('suppresses the address after a permanent bounce, so its next interaction is skipped', async () => {
    const { invitationId, detail } = await sent();
    const bounce = sesEvent('Bounce', invitationId, {
      bounce: { bounceType: 'Permanent', timestamp: '2026-11-23T10:32:00.000Z' },
    });
    expect(await recordSesFeedback(rt, bounce)).toBe('bounced');
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'bounced',
      bouncedAt: '2026-11-23T10:32:00.000Z',
    });
    const next = interaction({
      customer: { ...detail.customer, email: detail.customer.email!.toUpperCase() },
    });
    expect(await intake(rt, event(next), due)).toMatchObject({
      status: 'skipped',
      reason: 'suppressed',
    });
  });

  it('does not suppress after a transient bounce', async () => {
    const { invitationId, detail } = await sent();
    const soft = sesEvent('Bounce', invitationId, {
      bounce: { bounceType: 'Transient', timestamp: '2026-11-23T10:32:00.000Z' },
    });
    expect(await recordSesFeedback(rt, soft)).toBe('soft-bounce');
    expect((await rt.invitations.get(invitationId))?.status).toBe('sent');
    // the same address for another customer record (so no cool-down applies) is still asked
    const sameAddress = { ...detail.customer, id: `${detail.customer.id}-other` };
    expect(await intake(rt, event(interaction({ customer: sameAddress })), due)).toMatchObject({
      status: 'scheduled',
    });
  });

  it('suppresses after a complaint and keeps an answered survey answered', async () => {
    const { invitationId, detail } = await sent();
    const token = await rt.signer.sign({
      invitationId,
      expiresAt: new Date('2026-11-30T00:00:00Z'),
    });
    await submitAnswer(rt, token, { score: '2' }, new Date('2026-11-23T11:00:00Z'));
    expect(
      await recordSesFeedback(
        rt,
        sesEvent('Complaint', invitationId, {
          complaint: { timestamp: '2026-11-23T12:00:00.000Z' },
        }),
      ),
    ).toBe('complained');
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'answered',
      complainedAt: '2026-11-23T12:00:00.000Z',
    });
    expect(await intake(rt, event(interaction({ customer: detail.customer })), due)).toMatchObject({
      reason: 'suppressed',
    });
  });

  it('ignores untagged mail, unknown invitations and other event types', async () => {
    expect(await recordSesFeedback(rt, sesEvent('Delivery', undefined))).toBe('ignored');
    expect(await recordSesFeedback(rt, sesEvent('Delivery', 'no-such-invitation'))).toBe('ignored');
    const { invitationId } = await sent();
    expect(await recordSesFeedback(rt, sesEvent('Open', invitationId))).toBe('ignored');
  });

  it('rejects a malformed SES event with the path of the problem', async () => {
    await expect(recordSesFeedback(rt, { eventType: 'Delivery' })).rejects.toThrowError(
      /detail\.mail/,
    );
  });
});
