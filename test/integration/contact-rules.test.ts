import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { withClaim, EMPTY_CONTACT_STATE } from '../../lib/domain/contact-rules.js';
import { interactionKey } from '../../lib/domain/ids.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { submitAnswer } from '../../lib/usecases/answer.js';
import { intake } from '../../lib/usecases/intake.js';
import { customerTimeline } from '../../lib/usecases/timeline.js';
import {
  emailsTo,
  event,
  interaction,
  testRuntime,
  TEST_SOURCE,
  withConfig,
} from '../support/harness.js';

const occurred = '2026-11-23T10:00:00Z';
const due = new Date('2026-11-23T10:45:00Z');
const customer = (overrides: Record<string, unknown> = {}) => {
  const id = `c-${randomUUID()}`;
  return {
    id,
    email: `${id}@example.com`,
    name: 'Ada',
    locale: 'en-GB',
    segment: 'smb',
    ...overrides,
  };
};

describe('contact rules against DynamoDB Local', () => {
  it('asks a customer once when ten of their interactions arrive at the same moment', async () => {
    const rt = await testRuntime();
    const who = customer();
    // two touchpoints surveyed in full (chat-closed samples 80 %), so only the rules decide
    const touchpoints = ['support-call', 'order-delivered'];
    const details = Array.from({ length: 10 }, (_, i) =>
      interaction({
        occurredAt: occurred,
        touchpoint: touchpoints[i % 2]!,
        channel: i % 2 ? 'web' : 'phone',
        customer: who,
      }),
    );
    const results = await Promise.all(
      details.map((detail) => intake(rt, event(detail), new Date(occurred))),
    );
    expect(results.filter((r) => r.status === 'scheduled')).toHaveLength(1);
    expect(results.filter((r) => r.reason === 'cool-down')).toHaveLength(9);
    await dispatch(rt, new Date('2026-11-23T12:30:00Z'));
    expect(await emailsTo(who.email)).toHaveLength(1);
  });

  it('sends one email for ten concurrent copies of one event', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred, customer: customer() });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => intake(rt, event(detail), new Date(occurred))),
    );
    expect(new Set(results.map((r) => r.invitationId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    await dispatch(rt, due);
    expect(await emailsTo(detail.customer.email!)).toHaveLength(1);
  });

  it('records cool-down across programs, per-program cool-down and the cap, each with its reason', async () => {
    const rt = await testRuntime({
      config: withConfig((config) => {
        config.contactRules = { globalCoolDown: 'P1D', cap: { max: 2, period: 'P28D' } };
        config.programs.find((p) => p.touchpoint === 'support-call')!.coolDown = 'P14D';
        config.programs.forEach((p) => (p.sampling = 1));
      }),
    });
    const who = customer();
    const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`;
    const decide = (touchpoint: string, day: number) =>
      intake(
        rt,
        event(interaction({ occurredAt: at(day), touchpoint, channel: 'web', customer: who })),
        new Date(at(day)),
      );
    expect(await decide('support-call', 1)).toMatchObject({ status: 'scheduled' });
    expect(await decide('chat-closed', 1)).toMatchObject({
      status: 'skipped',
      reason: 'cool-down',
    }); // global, 1 day
    expect(await decide('support-call', 5)).toMatchObject({
      status: 'skipped',
      reason: 'cool-down',
    }); // program, 14 days
    expect(await decide('chat-closed', 5)).toMatchObject({ status: 'scheduled' });
    expect(await decide('order-delivered', 10)).toMatchObject({ status: 'skipped', reason: 'cap' }); // 2 in 28 days
    expect(await decide('order-delivered', 28)).toMatchObject({ status: 'skipped', reason: 'cap' });
    expect(await decide('order-delivered', 29)).toMatchObject({ status: 'scheduled' }); // day 1 has rolled out
  });

  it('skips not-sampled, opted-out and suppressed interactions with their reasons', async () => {
    const rt = await testRuntime({
      config: withConfig((config) => {
        config.programs.find((p) => p.touchpoint === 'chat-closed')!.sampling = 0;
      }),
    });
    const sampledOut = await intake(
      rt,
      event(interaction({ touchpoint: 'chat-closed', customer: customer() })),
      due,
    );
    expect(sampledOut).toMatchObject({ status: 'skipped', reason: 'not-sampled' });

    const optedOut = customer();
    await rt.contacts.optOut(optedOut.id, due);
    expect(await intake(rt, event(interaction({ customer: optedOut })), due)).toMatchObject({
      reason: 'opted-out',
    });

    const suppressed = customer();
    await rt.suppressions.suppress(suppressed.email, 'complaint', due);
    expect(await intake(rt, event(interaction({ customer: suppressed })), due)).toMatchObject({
      reason: 'suppressed',
    });
  });

  it('goes on with its own claim when a retry finds the contact state it wrote before failing', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred, customer: customer() });
    const claim = withClaim(
      EMPTY_CONTACT_STATE,
      {
        touchpoint: detail.touchpoint,
        at: new Date(occurred),
        interactionId: interactionKey(TEST_SOURCE, detail.interactionId),
      },
      'P90D',
    );
    expect(await rt.contacts.claim(detail.customer.id, EMPTY_CONTACT_STATE, claim)).toBe(true); // then "crashed"
    expect(await intake(rt, event(detail), new Date(occurred))).toMatchObject({
      status: 'scheduled',
      duplicate: false,
    });
  });

  it('counts a redelivered interaction once against the cap, though it passes the rules again', async () => {
    const rt = await testRuntime({
      config: withConfig((config) => {
        // no cool-down holds the redelivery back: only the cap counts (4 in 90 days)
        config.contactRules.globalCoolDown = 'PT1M';
        for (const program of config.programs) delete program.coolDown;
      }),
    });
    const who = customer();
    const at = (minutes: number) => new Date(Date.parse(occurred) + minutes * 60_000);
    const detail = (minutes: number) =>
      interaction({ occurredAt: at(minutes).toISOString(), customer: who });
    const first = detail(0);
    expect((await intake(rt, event(first), at(0))).status).toBe('scheduled');
    expect((await intake(rt, event(detail(10)), at(10))).status).toBe('scheduled');
    // EventBridge delivers the first again: it passes the rules, and finds its decision recorded
    expect(await intake(rt, event(first), at(11))).toMatchObject({
      status: 'scheduled',
      duplicate: true,
    });
    const afterRedelivery = await rt.contacts.get(who.id, { consistent: true });
    expect(afterRedelivery.recent).toHaveLength(2);
    // a replay a week on, which would pass the rules too, looks its decision up first: the
    // contact item is not written at all
    expect(await intake(rt, event(first), at(7 * 24 * 60))).toMatchObject({ duplicate: true });
    expect((await rt.contacts.get(who.id, { consistent: true })).version).toBe(
      afterRedelivery.version,
    );
    // two more fit under the cap of 4, and a fifth does not
    expect((await intake(rt, event(detail(20)), at(20))).status).toBe('scheduled');
    expect((await intake(rt, event(detail(30)), at(30))).status).toBe('scheduled');
    expect(await intake(rt, event(detail(40)), at(40))).toMatchObject({
      status: 'skipped',
      reason: 'cap',
    });
  });

  it('keeps the claim a recorded survey stands on, when the decision is found already written', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred, customer: customer() });
    // the SDK retries a put that went through (its response lost): the retry finds the decision
    const create = rt.invitations.create.bind(rt.invitations);
    const retried = vi.spyOn(rt.invitations, 'create').mockImplementationOnce(async (...args) => {
      await create(...args);
      return create(...args);
    });
    try {
      expect(await intake(rt, event(detail), new Date(occurred))).toMatchObject({
        status: 'scheduled',
      });
    } finally {
      retried.mockRestore();
    }
    const contact = await rt.contacts.get(detail.customer.id, { consistent: true });
    expect(contact.recent).toEqual([new Date(occurred).toISOString()]);
    expect(contact.lastInteractionId).toBe(interactionKey(TEST_SOURCE, detail.interactionId));
  });

  it("moves a survey due at night to the next morning in the customer's time zone", async () => {
    const rt = await testRuntime();
    const detail = interaction({
      occurredAt: '2026-11-23T20:00:00Z',
      customer: customer({ timeZone: 'Europe/Berlin' }),
    });
    const { invitationId } = await intake(rt, event(detail), new Date('2026-11-23T20:00:01Z'));
    expect((await rt.invitations.get(invitationId))?.sendAt).toBe('2026-11-24T08:00:00.000Z'); // 09:00 in Berlin
  });

  it('does not send what is later than maxLateness after an outage, and sends the rest', async () => {
    const rt = await testRuntime();
    const stale = interaction({ occurredAt: '2026-11-20T10:00:00Z', customer: customer() }); // support-call: 1 day
    const fresh = interaction({
      occurredAt: '2026-11-22T23:00:00Z',
      touchpoint: 'order-delivered',
      channel: 'web',
      customer: customer(),
    });
    const staleResult = await intake(rt, event(stale), new Date(stale.occurredAt));
    const freshResult = await intake(rt, event(fresh), new Date(fresh.occurredAt));
    const result = await dispatch(rt, due); // the dispatcher was down until now
    expect(result).toMatchObject({ sent: 1, skipped: 1 });
    expect(await rt.invitations.get(staleResult.invitationId)).toMatchObject({
      status: 'skipped',
      reason: 'too-late',
    });
    expect(await rt.invitations.get(freshResult.invitationId)).toMatchObject({ status: 'sent' });
    expect(await emailsTo(stale.customer.email!)).toHaveLength(0);
  });

  it('cancels a scheduled survey when the customer opts out before it is sent', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred, customer: customer() });
    const { invitationId } = await intake(rt, event(detail), new Date(occurred));
    await rt.contacts.optOut(detail.customer.id, new Date('2026-11-23T10:10:00Z'));
    expect(await dispatch(rt, due)).toMatchObject({ sent: 0, skipped: 1 });
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'cancelled',
      reason: 'opted-out',
    });
    expect(await emailsTo(detail.customer.email!)).toHaveLength(0);
  });

  it("keeps each interaction's snapshot and shows the customer's timeline across channels, newest first", async () => {
    const rt = await testRuntime({
      config: withConfig((config) => (config.contactRules.globalCoolDown = 'PT1H')),
    });
    const who = customer();
    const first = interaction({
      occurredAt: '2026-11-20T10:00:00Z',
      touchpoint: 'support-call',
      channel: 'phone',
      customer: who,
    });
    const decideAt = (detail: { occurredAt: string }) =>
      new Date(Date.parse(detail.occurredAt) + 1000);
    await intake(rt, event(first), decideAt(first));
    await dispatch(rt, new Date('2026-11-20T11:00:00Z'));
    const moved = { ...who, segment: 'enterprise' };
    const second = interaction({
      occurredAt: '2026-11-21T10:00:00Z',
      touchpoint: 'order-delivered',
      channel: 'web',
      customer: moved,
    });
    await intake(rt, event(second), decideAt(second));
    await dispatch(rt, new Date('2026-11-21T12:30:00Z'));

    const timeline = await customerTimeline(rt, who.id);
    expect(timeline.map((e) => `${e.kind}:${e.touchpoint}`)).toEqual([
      'sent:order-delivered',
      'decision:order-delivered',
      'interaction:order-delivered',
      'sent:support-call',
      'decision:support-call',
      'interaction:support-call',
    ]);
    expect(timeline.map((e) => e.at)).toEqual([...timeline.map((e) => e.at)].sort().reverse());
    const invitations = await rt.invitations.ofCustomer(who.id, 10);
    expect(invitations.map((i) => i.segment)).toEqual(['enterprise', 'smb']);
  });

  it('lists every answer in the timeline: the replaced ones and the one that stands', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: '2026-11-20T10:00:00Z', customer: customer() });
    const { invitationId } = await intake(rt, event(detail), new Date('2026-11-20T10:00:01Z'));
    await dispatch(rt, new Date('2026-11-20T11:00:00Z'));
    const invitation = (await rt.invitations.get(invitationId))!;
    const token = await rt.signer.sign({
      invitationId,
      expiresAt: new Date(invitation.expiresAt!),
    });
    await submitAnswer(
      rt,
      token,
      { score: '3', comment: 'Slow' },
      new Date('2026-11-20T12:00:00Z'),
    );
    await submitAnswer(rt, token, { score: '8' }, new Date('2026-11-20T13:00:00Z'));
    const answers = (await customerTimeline(rt, detail.customer.id)).filter(
      (entry) => entry.kind === 'answered',
    );
    expect(answers.map((a) => [a.at, a.score, a.comment])).toEqual([
      ['2026-11-20T13:00:00.000Z', 8, undefined],
      ['2026-11-20T12:00:00.000Z', 3, 'Slow'],
    ]);
  });
});
