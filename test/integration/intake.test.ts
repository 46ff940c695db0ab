import { beforeAll, describe, expect, it } from 'vitest';
import { invitationIdFor } from '../../lib/domain/ids.js';
import { InvalidEventError } from '../../lib/domain/errors.js';
import { intake } from '../../lib/usecases/intake.js';
import {
  event,
  interaction,
  testRuntime,
  withConfig,
  type TestRuntime,
} from '../support/harness.js';

const now = new Date('2026-11-23T09:20:00Z');

describe('intake against DynamoDB Local', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await testRuntime({
      config: withConfig((config) => {
        config.programs.find((p) => p.touchpoint === 'chat-closed')!.enabled = false;
      }),
    });
  });

  it('schedules the survey at occurredAt plus the program delay, with a snapshot of the interaction', async () => {
    const detail = interaction({ attributes: { agent: 'j.smith' } });
    const result = await intake(rt, event(detail), now);
    expect(result).toMatchObject({ status: 'scheduled', duplicate: false });
    const stored = await rt.invitations.get(result.invitationId);
    expect(stored).toMatchObject({
      status: 'scheduled',
      sendAt: '2026-11-23T09:45:00.000Z', // 10:15+01:00 plus PT30M
      touchpoint: 'support-call',
      channel: 'phone',
      segment: 'smb',
      journeyStep: 'first-call',
      attributes: { agent: 'j.smith' },
      locale: 'en-GB',
      metric: 'nps',
    });
  });

  it('turns ten concurrent deliveries of one event into one invitation', async () => {
    const detail = interaction();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => intake(rt, event(detail), now)),
    );
    expect(new Set(results.map((r) => r.invitationId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await rt.invitations.get(invitationIdFor(detail.interactionId))).toBeDefined();
  });

  it('keeps the first payload when the same interaction id comes back different', async () => {
    const first = interaction();
    await intake(rt, event(first), now);
    const second = {
      ...first,
      channel: 'chat',
      customer: { ...first.customer, segment: 'enterprise' },
    };
    const result = await intake(rt, event(second), now);
    expect(result.duplicate).toBe(true);
    const stored = await rt.invitations.get(result.invitationId);
    expect(stored).toMatchObject({ channel: 'phone', segment: 'smb' });
  });

  it.each([
    ['no-program', { touchpoint: 'store-visit' }],
    ['disabled', { touchpoint: 'chat-closed', channel: 'chat' }],
    ['no-email', { customer: { id: 'c-no-email' } }],
    ['invalid-email', { customer: { id: 'c-bad', email: 'ada(at)example' } }],
  ])('records a skipped decision with reason %s, and sends nothing', async (reason, overrides) => {
    const detail = interaction(overrides);
    const result = await intake(rt, event(detail), now);
    expect(result).toMatchObject({ status: 'skipped', reason });
    const stored = await rt.invitations.get(result.invitationId);
    expect(stored).toMatchObject({ status: 'skipped', reason });
    expect(stored?.sendAt).toBeUndefined();
    const due = await rt.invitations.due(new Date('2030-01-01T00:00:00Z'), 1000);
    expect(due.map((d) => d.invitationId)).not.toContain(result.invitationId);
  });

  it('writes nothing for an event that breaks the contract, and says what is wrong', async () => {
    const detail = { ...interaction(), occurredAt: 'soon', customer: { email: 'x@example.com' } };
    const failure = intake(rt, event(detail), now);
    await expect(failure).rejects.toBeInstanceOf(InvalidEventError);
    await expect(failure).rejects.toThrowError(/detail\.occurredAt[\s\S]*detail\.customer\.id/);
    expect(await rt.invitations.get(invitationIdFor(detail.interactionId))).toBeUndefined();
  });

  it('ignores program delays in instant mode, so a trial sees the email at once', async () => {
    const instant = await testRuntime({ instant: true });
    const result = await intake(instant, event(interaction()), now);
    expect((await instant.invitations.get(result.invitationId))?.sendAt).toBe(now.toISOString());
  });
});
