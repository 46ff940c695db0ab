import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from '../../lib/contracts/interaction.js';
import { RULES } from '../../lib/contracts/rules.js';
import { InvalidEventError } from '../../lib/domain/errors.js';
import { LocalEventBus } from '../../lib/local/bus.js';
import { MemoryJournal, type DeadLetter } from '../../lib/local/dead-letters.js';
import { invitationIdFor } from '../../lib/domain/ids.js';
import { interaction, startTestStack } from '../support/harness.js';

describe('the local PutEvents-compatible bus', () => {
  const received: EventBridgeEvent[] = [];
  const failuresLeft = new Map<string, number>();
  const deadLetters = new MemoryJournal<DeadLetter>();
  const bus = new LocalEventBus({
    busName: 'afterword',
    rules: RULES,
    deadLetters,
    permanentErrors: ['InvalidEventError'],
    targets: {
      'follow-up': () => Promise.resolve(),
      erasure: () => Promise.resolve(),
      feedback: (event) => {
        received.push(event);
        return Promise.resolve();
      },
      intake: (event) => {
        const detail = event.detail as { interactionId?: string; fail?: 'invalid' | number };
        if (detail.fail === 'invalid')
          return Promise.reject(new InvalidEventError(['detail.customer.id: required']));
        const id = detail.interactionId ?? '';
        if (typeof detail.fail === 'number') {
          const left = failuresLeft.get(id) ?? detail.fail;
          failuresLeft.set(id, left - 1);
          if (left > 0) return Promise.reject(new Error('DynamoDB is having a moment'));
        }
        received.push(event);
        return Promise.resolve();
      },
    },
  });
  let client: EventBridgeClient;

  beforeAll(async () => {
    const url = await bus.listen(0);
    client = new EventBridgeClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await bus.close();
  });

  const entry = (
    detail: unknown,
    overrides: Partial<PutEventsRequestEntry> = {},
  ): PutEventsRequestEntry => ({
    EventBusName: 'afterword',
    Source: 'crm.calls',
    DetailType: 'Interaction Completed',
    Detail: JSON.stringify(detail),
    ...overrides,
  });

  it("accepts events from the real SDK client and routes them by the stack's rule pattern", async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ interactionId: 'a' }),
          entry({ interactionId: 'b' }, { DetailType: 'Order Placed' }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries?.every((e) => e.EventId)).toBe(true);
    await bus.idle();
    const routed = received.filter((e) =>
      ['a', 'b'].includes((e.detail as { interactionId: string }).interactionId),
    );
    expect(routed).toHaveLength(1);
    expect(routed[0]).toMatchObject({
      'detail-type': 'Interaction Completed',
      source: 'crm.calls',
      id: result.Entries![0]!.EventId,
    });
  });

  it('answers per entry, as AWS does: a malformed entry fails alone', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ interactionId: 'ok' }),
          { ...entry({}), Detail: '{not json' },
          { ...entry({}), Source: undefined },
          entry({}, { EventBusName: 'someone-elses-bus' }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries?.map((e) => e.ErrorCode)).toEqual([
      undefined,
      'MalformedDetail',
      'InvalidArgument',
      'ResourceNotFoundException',
    ]);
    expect(result.Entries?.[0]?.EventId).toBeTruthy();
  });

  it('routes SES events on the default bus to feedback', async () => {
    await client.send(
      new PutEventsCommand({
        Entries: [
          entry(
            { eventType: 'Delivery' },
            { EventBusName: 'default', Source: 'aws.ses', DetailType: 'Email Delivered' },
          ),
        ],
      }),
    );
    await bus.idle();
    expect(
      received.some((e) => e.source === 'aws.ses' && e['detail-type'] === 'Email Delivered'),
    ).toBe(true);
  });

  it('refuses more than ten entries in one request, like PutEvents', async () => {
    const entries = Array.from({ length: 11 }, (_, i) => entry({ interactionId: `many-${i}` }));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('retries a failing delivery with back-off and delivers it once', async () => {
    await client.send(
      new PutEventsCommand({ Entries: [entry({ interactionId: 'flaky', fail: 2 })] }),
    );
    await bus.idle();
    expect(
      received.filter((e) => (e.detail as { interactionId: string }).interactionId === 'flaky'),
    ).toHaveLength(1);
  });

  it('dead-letters an invalid event at once, with the validation message, and keeps going', async () => {
    await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ interactionId: 'bad', fail: 'invalid' }),
          entry({ interactionId: 'after-bad' }),
        ],
      }),
    );
    await bus.idle();
    const letter = deadLetters
      .list()
      .find(
        (l) =>
          (l.event as EventBridgeEvent).detail &&
          (l.event as { detail: { interactionId: string } }).detail.interactionId === 'bad',
      );
    expect(letter).toMatchObject({ rule: 'InteractionCompleted', target: 'intake', attempts: 1 });
    expect(letter?.error).toContain('detail.customer.id');
    expect(
      received.some((e) => (e.detail as { interactionId: string }).interactionId === 'after-bad'),
    ).toBe(true);
  });

  it('dead-letters a delivery that keeps failing after its tries', async () => {
    await client.send(
      new PutEventsCommand({ Entries: [entry({ interactionId: 'doomed', fail: 99 })] }),
    );
    await bus.idle();
    const letter = deadLetters
      .list()
      .find(
        (l) =>
          (l.event as { detail: { interactionId?: string } }).detail.interactionId === 'doomed',
      );
    expect(letter).toMatchObject({ attempts: 3, error: 'DynamoDB is having a moment' });
  });
});

describe('the running local stack, given hostile input', () => {
  it('survives a deeply nested event: dead-lettered with its raw detail, nothing accepted lost', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'afterword-deep-'));
    const stack = await startTestStack('deep', { dataDir, instant: false });
    const client = new EventBridgeClient({
      endpoint: stack.urls.bus,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    try {
      // 25,000 levels: within PutEvents' 256 KB, far beyond what JSON.stringify can write back.
      const rawDeep = `${'{"a":'.repeat(25_000)}1${'}'.repeat(25_000)}`;
      const hostile = JSON.stringify({ ...interaction(), attributes: { x: 1 } }).replace(
        '{"x":1}',
        rawDeep,
      );
      // Interactions of now: the stack's dispatcher would skip the fixture's old date as too late.
      const good = Array.from({ length: 8 }, () =>
        interaction({ occurredAt: new Date().toISOString() }),
      );
      const put = (detail: string) => ({
        EventBusName: 'afterword',
        Source: 'test.producer',
        DetailType: 'Interaction Completed',
        Detail: detail,
      });
      const sent = await client.send(
        new PutEventsCommand({
          Entries: [
            ...good.slice(0, 4).map((d) => put(JSON.stringify(d))),
            put(hostile),
            ...good.slice(4).map((d) => put(JSON.stringify(d))),
          ],
        }),
      );
      expect(sent.FailedEntryCount).toBe(0);
      await stack.bus.idle();

      const [letter, ...others] = stack.deadLetters.list();
      expect(others).toEqual([]);
      expect(letter).toMatchObject({ target: 'intake', attempts: 1, rawDetail: hostile });
      expect(letter!.error).toContain('nested deeper than 8 levels');
      for (const detail of good) {
        const id = invitationIdFor('test.producer', detail.interactionId);
        // decided and on its way (the stack's dispatcher may already have sent it)
        const stored = await stack.runtime.invitations.get(id);
        expect(
          ['scheduled', 'sending', 'sent'],
          `${detail.interactionId} ${stored?.reason}`,
        ).toContain(stored?.status);
      }
      // and it keeps taking events
      const after = interaction();
      await client.send(new PutEventsCommand({ Entries: [put(JSON.stringify(after))] }));
      await stack.bus.idle();
      expect(
        await stack.runtime.invitations.get(invitationIdFor('test.producer', after.interactionId)),
      ).toBeDefined();
    } finally {
      client.destroy();
      await stack.stop();
    }
  });
});
