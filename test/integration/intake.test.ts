import { beforeAll, describe, expect, it } from 'vitest';
import { invitationIdFor } from '../../lib/domain/ids.js';
import { InvalidEventError } from '../../lib/domain/errors.js';
import { intake } from '../../lib/usecases/intake.js';
import {
  event,
  interaction,
  TEST_SOURCE,
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
    expect(
      await rt.invitations.get(invitationIdFor(TEST_SOURCE, detail.interactionId)),
    ).toBeDefined();
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
    const due = await rt.outbox.due(new Date('2030-01-01T00:00:00Z'), 1000);
    expect(due.map((d) => d.invitationId)).not.toContain(result.invitationId);
  });

  it('writes nothing for an event that breaks the contract, and says what is wrong', async () => {
    const detail = { ...interaction(), occurredAt: 'soon', customer: { email: 'x@example.com' } };
    const failure = intake(rt, event(detail), now);
    await expect(failure).rejects.toBeInstanceOf(InvalidEventError);
    await expect(failure).rejects.toThrowError(/detail\.occurredAt[\s\S]*detail\.customer\.id/);
    expect(
      await rt.invitations.get(invitationIdFor(TEST_SOURCE, detail.interactionId)),
    ).toBeUndefined();
  });

  it('keeps two producers apart that use the same interaction id (the source is in the key)', async () => {
    const detail = interaction({ interactionId: '123' });
    const fromCrm = await intake(rt, event(detail, 'crm.calls'), now);
    const other = { ...interaction({ interactionId: '123' }), channel: 'web' };
    const fromShop = await intake(rt, event(other, 'shop.orders'), now);
    expect(fromShop.invitationId).not.toBe(fromCrm.invitationId);
    expect([fromCrm.duplicate, fromShop.duplicate]).toEqual([false, false]);
    expect(await rt.invitations.get(fromShop.invitationId)).toMatchObject({
      channel: 'web',
      source: 'shop.orders',
    });
    expect((await intake(rt, event(other, 'shop.orders'), now)).duplicate).toBe(true);
  });

  it('refuses an interaction more than 24 hours in the future, naming the field', async () => {
    const soon = interaction({ occurredAt: '2026-11-24T09:00:00Z' }); // 23h40 after `now`
    expect((await intake(rt, event(soon), now)).status).toBe('scheduled');
    const far = interaction({ occurredAt: '9999-01-01T00:00:00Z' });
    const failure = intake(rt, event(far), now);
    await expect(failure).rejects.toBeInstanceOf(InvalidEventError);
    await expect(failure).rejects.toThrowError(
      /detail\.occurredAt: 9999-01-01T00:00:00Z is more than 24 hours/,
    );
    expect(
      await rt.invitations.get(invitationIdFor(TEST_SOURCE, far.interactionId)),
    ).toBeUndefined();
  });

  it('bounds the attributes: 50 keys and 4 KB as JSON, with the count in the error', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    await expect(intake(rt, event(interaction({ attributes: many })), now)).rejects.toThrowError(
      /detail\.attributes: at most 50 attributes, got 51/,
    );
    const big = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(900)]),
    );
    await expect(intake(rt, event(interaction({ attributes: big })), now)).rejects.toThrowError(
      /detail\.attributes: at most 4096 bytes as JSON, got 3\d{4}/,
    );
    const fine = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'short']));
    expect((await intake(rt, event(interaction({ attributes: fine })), now)).status).toBe(
      'scheduled',
    );
  });

  it('refuses a detail nested deeper than the contract without walking all of it', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 50_000; i++) deep = { a: deep };
    const detail = { ...interaction(), attributes: deep };
    await expect(intake(rt, event(detail), now)).rejects.toThrowError(
      /nested deeper than 8 levels/,
    );
  });

  it('ignores program delays in instant mode, so a trial sees the email at once', async () => {
    const instant = await testRuntime({ instant: true });
    const result = await intake(instant, event(interaction()), now);
    expect((await instant.invitations.get(result.invitationId))?.sendAt).toBe(now.toISOString());
  });
});
