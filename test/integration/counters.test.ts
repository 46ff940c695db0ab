/**
 * The rollup's counters kept from the table's stream (issue 19), against DynamoDB Local's own
 * stream: they agree with the nightly recompute from the day indexes, cell by cell, and every
 * record counts exactly once however often and however cut it comes again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { cellKeyOf, type CellDelta } from '../../lib/domain/counters.js';
import { SMOKE_SEGMENT } from '../../lib/domain/smoke.js';
import { StreamPoller } from '../../lib/local/stream-poller.js';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { COUNTERS_PER_CELL } from '../../lib/store/counter-items.js';
import { CounterStore, type CountedRecord } from '../../lib/store/counters.js';
import { submitAnswer } from '../../lib/usecases/answer.js';
import {
  countedRecordOf,
  countStream,
  StreamBatchError,
  type StreamBatch,
} from '../../lib/usecases/count-stream.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { recordSesFeedback } from '../../lib/usecases/feedback.js';
import { intake } from '../../lib/usecases/intake.js';
import { recomputeDay, rollupDay } from '../../lib/usecases/rollup.js';
import type { RollupRow } from '../../lib/contracts/report.js';
import {
  event,
  interaction,
  testRuntime,
  withConfig,
  type TestRuntime,
} from '../support/harness.js';

const DAYS = ['2026-11-09', '2026-11-10', '2026-11-11'];

function sesDetail(
  eventType: 'Delivery' | 'Bounce' | 'Complaint',
  invitationId: string,
  at: string,
) {
  return {
    eventType,
    mail: {
      messageId: `ses-${Math.random().toString(36).slice(2)}`,
      timestamp: at,
      tags: { invitationId: [invitationId], 'ses:configuration-set': ['afterword'] },
    },
    ...(eventType === 'Delivery' ? { delivery: { timestamp: at } } : {}),
    ...(eventType === 'Bounce' ? { bounce: { bounceType: 'Permanent', timestamp: at } } : {}),
    ...(eventType === 'Complaint' ? { complaint: { timestamp: at } } : {}),
  };
}

/** The counters of a day as the nightly rollup writes them (expiry judged at `asOf`). */
async function countedRows(rt: TestRuntime, day: string, asOf: Date): Promise<RollupRow[]> {
  return sortRows(await rollupDay(rt, day, asOf));
}

const sortRows = (rows: RollupRow[]) =>
  [...rows].sort((a, b) => cellKeyOf(a).localeCompare(cellKeyOf(b)));

describe('counters from the table stream, against DynamoDB Local', () => {
  let rt: TestRuntime;
  let poller: StreamPoller;
  /** Every batch handed to the counting, as it came. */
  const batches: StreamBatch[] = [];

  beforeAll(async () => {
    rt = await testRuntime({
      config: withConfig((config) => {
        config.programs.forEach((program) => delete program.sendWindow);
        // revenue at risk: support calls carry what the customer's contract is worth
        config.programs.find((p) => p.touchpoint === 'support-call')!.value = {
          attribute: 'contractValue',
          currency: 'EUR',
        };
      }),
    });
    poller = new StreamPoller({
      endpoint: inject('dynamodbEndpoint'),
      tableName: rt.settings.tableName,
      handle: (batch) => {
        batches.push(structuredClone(batch));
        return countStream(rt, batch);
      },
    });
    // A varied life: two touchpoints and channels, segments, journeys, skips, a smoke survey,
    // SES outcomes, questionnaires, an answer changed the next day, one left unanswered.
    const ids: string[] = [];
    for (let i = 0; i < 14; i++) {
      const occurredAt = `2026-11-${i < 7 ? '09' : '10'}T${String(8 + i).padStart(2, '0')}:15:00Z`;
      const detail = interaction({
        occurredAt,
        touchpoint: i % 3 === 0 ? 'order-delivered' : 'support-call',
        channel: i % 2 ? 'phone' : 'web',
        journey: i % 4 === 0 ? { id: 'onboarding', step: `step-${i % 3}` } : undefined,
        customer: {
          id: `counted-${i}`,
          email: `counted-${i}@example.com`,
          segment: i % 5 ? 'smb' : undefined,
        },
      });
      // a value, none, or one that is not a number
      if (i % 4) detail.attributes = { contractValue: i % 4 === 2 ? 'unknown' : 10.25 * i };
      if (i === 6) detail.customer.segment = SMOKE_SEGMENT;
      if (i === 11) delete detail.customer.email; // skipped: no email
      ids.push((await intake(rt, event(detail), new Date(occurredAt))).invitationId);
    }
    // the dispatcher's ticks, hour by hour
    for (
      let t = Date.parse('2026-11-09T08:00:00Z');
      t <= Date.parse('2026-11-10T23:00:00Z');
      t += 3_600_000
    ) {
      await dispatch(rt, new Date(t));
    }
    await recordSesFeedback(rt, sesDetail('Delivery', ids[0]!, '2026-11-10T23:01:00Z'));
    await recordSesFeedback(rt, sesDetail('Delivery', ids[1]!, '2026-11-10T23:01:00Z'));
    await recordSesFeedback(rt, sesDetail('Complaint', ids[1]!, '2026-11-10T23:02:00Z'));
    await recordSesFeedback(rt, sesDetail('Bounce', ids[2]!, '2026-11-10T23:01:00Z'));
    const answer = async (id: string, form: Record<string, string | string[]>, at: string) => {
      const invitation = (await rt.invitations.get(id))!;
      const token = await rt.signer.sign({
        invitationId: id,
        expiresAt: new Date(invitation.expiresAt!),
      });
      await submitAnswer(rt, token, form, new Date(at));
    };
    await answer(
      ids[0]!,
      { score: '2', 'q.problems': ['late', 'damaged'], 'q.packaging': '2' },
      '2026-11-10T23:30:00Z',
    );
    await answer(
      ids[1]!,
      { score: '3', 'q.reason': 'waiting-time', 'q.resolved': 'no' },
      '2026-11-10T23:40:00Z',
    );
    await answer(ids[4]!, { score: '10', 'q.resolved': 'yes' }, '2026-11-11T08:00:00Z');
    await answer(ids[5]!, { score: '8' }, '2026-11-11T09:00:00Z');
    await answer(ids[6]!, { score: '4' }, '2026-11-11T09:00:00Z'); // the smoke survey
    await answer(ids[7]!, { score: '6', 'q.reason': 'other' }, '2026-11-11T10:00:00Z');
    // changed its mind the next day: the answer moves to that day, with its new drivers
    await answer(ids[7]!, { score: '9', 'q.resolved': 'yes' }, '2026-11-12T10:00:00Z');
    expect(await poller.drain()).toBeGreaterThan(20);
  }, 60_000);

  afterAll(async () => {
    await poller?.stop();
  });

  it('agrees with the nightly recompute, cell by cell, on every day', async () => {
    // before any link closed, and after every link closed (expiry counted from the open hours)
    for (const asOf of [new Date('2026-11-12T12:00:00Z'), new Date('2026-12-30T00:00:00Z')]) {
      for (const day of [...DAYS, '2026-11-12']) {
        const recomputed = sortRows(await recomputeDay(rt, day, asOf));
        expect(await countedRows(rt, day, asOf), `${day} as of ${asOf.toISOString()}`).toEqual(
          recomputed,
        );
      }
    }
    const rows = (
      await Promise.all(DAYS.map((day) => countedRows(rt, day, new Date('2026-12-30T00:00:00Z'))))
    ).flat();
    // the data set reached the counters: sends, outcomes, answers, drivers, expiry, a skip
    const sum = (pick: (row: RollupRow) => number) => rows.reduce((s, row) => s + pick(row), 0);
    expect(sum((row) => row.sent)).toBeGreaterThan(5);
    expect(sum((row) => row.expired)).toBeGreaterThan(0);
    expect(sum((row) => row.complained)).toBe(1);
    expect(sum((row) => row.skipped['no-email'] ?? 0)).toBe(1);
    // and the values: counted, unhappy, missing and not a number
    expect(sum((row) => row.valueAnswered)).toBeGreaterThan(0);
    expect(sum((row) => row.valueUnhappy)).toBeGreaterThan(0);
    expect(sum((row) => row.valueMissing + row.valueInvalid)).toBeGreaterThan(0);
  });

  it('counts nothing twice: the same batches again, re-cut, or one long batch', async () => {
    const before = await Promise.all(DAYS.map((day) => rt.counters.day(day)));
    const byShard = new Map<string, StreamBatch['Records']>();
    for (const batch of batches) {
      byShard.set(batch.shardId!, [...(byShard.get(batch.shardId!) ?? []), ...batch.Records]);
    }
    for (const batch of batches) await countStream(rt, structuredClone(batch));
    for (const [shardId, records] of byShard) {
      // cut anew: from the middle on, and everything at once
      await countStream(rt, { shardId, Records: records.slice(Math.floor(records.length / 2)) });
      const again = await countStream(rt, { shardId, Records: records });
      expect(again.written).toBe(0);
      expect(again.alreadyCounted).toBeGreaterThan(0);
    }
    expect(await Promise.all(DAYS.map((day) => rt.counters.day(day)))).toEqual(before);
  });

  it('refuses a batch that names no shard, with what to change', async () => {
    await expect(countStream(rt, { Records: batches[0]!.Records })).rejects.toThrow(
      new StreamBatchError(
        'the stream batch names no shardId: the event source mapping needs a tumbling window',
      ),
    );
  });

  it('leaves out what TTL deletes, other items, and counts a deletion by someone as a change', () => {
    const keys = { pk: { S: 'INV#x' }, sk: { S: 'INVITATION' } };
    const old = {
      ...keys,
      inCounters: { BOOL: true },
      status: { S: 'skipped' },
      reason: { S: 'cap' },
      touchpoint: { S: 'support-call' },
      channel: { S: 'web' },
      decidedAt: { S: '2026-11-10T10:00:00Z' },
    };
    const ttl = countedRecordOf(
      {
        eventName: 'REMOVE',
        userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
        dynamodb: { Keys: keys, OldImage: old, SequenceNumber: '7' },
      },
      'Europe/London',
    );
    expect(ttl).toEqual({ sequence: '7', deltas: [] });
    const removed = countedRecordOf(
      { eventName: 'REMOVE', dynamodb: { Keys: keys, OldImage: old, SequenceNumber: '8' } },
      'Europe/London',
    );
    expect(removed?.deltas.map((delta) => delta.counters)).toEqual([{ 'skipped:cap': -1 }]);
    const counter = countedRecordOf(
      {
        eventName: 'MODIFY',
        dynamodb: { Keys: { pk: { S: 'COUNT#2026-11-10' }, sk: { S: '[]' } }, SequenceNumber: '9' },
      },
      'Europe/London',
    );
    expect(counter).toBeUndefined();
  });
});

describe('the counter store: a shard position per transaction', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await testRuntime();
  });

  const cellOf = (i: number): CellDelta['cell'] => ({
    day: '2026-11-20',
    touchpoint: `tp-${i}`,
    channel: 'web',
    segment: '-',
    journeyId: '-',
    journeyStep: '-',
  });
  const record = (sequence: number, cell: number, counters: Record<string, number>) =>
    ({
      sequence: String(sequence),
      deltas: [{ cell: cellOf(cell), metric: 'nps', counters }],
    }) as CountedRecord;
  const total = async () =>
    (await rt.counters.day('2026-11-20')).reduce((sum, cell) => sum + (cell.counters.sent ?? 0), 0);
  const now = new Date('2026-11-20T12:00:00Z');

  it('writes more cells than one transaction holds, and a partial earlier write is not redone', async () => {
    // 150 cells: two transactions. The first 99 records were written before (a batch that
    // stopped part way); the batch again writes only the other 51.
    const records = Array.from({ length: 150 }, (_, i) => record(1000 + i, i, { sent: 1 }));
    expect(await rt.counters.apply('shard-a', records.slice(0, 99), now)).toEqual({
      written: 99,
      alreadyCounted: 0,
    });
    expect(await rt.counters.apply('shard-a', records, now)).toEqual({
      written: 51,
      alreadyCounted: 99,
    });
    expect(await total()).toBe(150);
    // another shard's position is its own: its records count
    await rt.counters.apply(
      'shard-b',
      [record(5, 0, { sent: 2 }), record(6, 0, { sent: -1 })],
      now,
    );
    expect(await total()).toBe(151);
    const [first] = (await rt.counters.day('2026-11-20')).filter(
      (c) => c.cell.touchpoint === 'tp-0',
    );
    expect(first).toMatchObject({ metric: 'nps', counters: { sent: 2 } });
  });

  /** The store on a client whose `fail`-th TransactWriteItems fails with `error` (once). */
  function storeFailing(fail: number, error: () => Error) {
    const doc = DynamoDBDocumentClient.from(rt.dynamodb);
    let transactions = 0;
    const failing = {
      send: (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'TransactWriteCommand' && ++transactions === fail) {
          return Promise.reject(error());
        }
        return doc.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    return new CounterStore(failing, rt.settings.tableName);
  }
  const canceled = (code: string) =>
    new TransactionCanceledException({
      message: `Transaction cancelled: ${code}`,
      $metadata: {},
      CancellationReasons: [{ Code: 'None' }, { Code: code }],
    });
  const sumOf = async (day: string, touchpoint: string) =>
    Object.values(
      (await rt.counters.day(day)).find((c) => c.cell.touchpoint === touchpoint)?.counters ?? {},
    ).reduce((sum, value) => sum + value, 0);

  it('writes a record too wide for one update in parts, each once, even when it stopped between them', async () => {
    // 450 counters in one cell: three parts of at most COUNTERS_PER_CELL
    const wide = (sequence: number): CountedRecord => ({
      sequence: String(sequence),
      deltas: [
        {
          cell: { ...cellOf(0), day: '2026-11-21', touchpoint: 'wide' },
          counters: Object.fromEntries(
            Array.from({ length: 450 }, (_, i) => [`q:q${i}:answered:promoter`, 1]),
          ),
        },
      ],
    });
    expect(450).toBeGreaterThan(2 * COUNTERS_PER_CELL);
    // the second part's transaction fails (the function died): the batch comes again
    await expect(
      storeFailing(2, () => new Error('the function died')).apply('shard-w', [wide(7)], now),
    ).rejects.toThrow('the function died');
    expect(await sumOf('2026-11-21', 'wide')).toBe(COUNTERS_PER_CELL); // the first part only
    expect(await rt.counters.apply('shard-w', [wide(7), wide(8)], now)).toEqual({
      written: 2,
      alreadyCounted: 0,
    });
    expect(await sumOf('2026-11-21', 'wide')).toBe(900);
    expect(await rt.counters.apply('shard-w', [wide(7), wide(8)], now)).toEqual({
      written: 0,
      alreadyCounted: 2,
    });
    expect(await sumOf('2026-11-21', 'wide')).toBe(900);
  });

  it('tries a transaction another shard held again, and counts it once; records out of order are sorted', async () => {
    const store = storeFailing(1, () => canceled('TransactionConflict'));
    const records = [
      record(30, 400, { sent: 1 }),
      record(10, 400, { sent: 1 }),
      record(20, 400, { sent: 1 }),
    ];
    expect(await store.apply('shard-t', records, now)).toEqual({ written: 3, alreadyCounted: 0 });
    expect(await sumOf('2026-11-20', 'tp-400')).toBe(3);
    // a failure that is neither a conflict nor the position fails the batch, for Lambda to retry
    await expect(
      storeFailing(1, () => canceled('ValidationError')).apply(
        'shard-t',
        [record(40, 400, { sent: 1 })],
        now,
      ),
    ).rejects.toThrow('Transaction cancelled: ValidationError');
    expect(await sumOf('2026-11-20', 'tp-400')).toBe(3);
  });

  it('orders sequence numbers of different lengths as numbers', async () => {
    await rt.counters.apply('shard-c', [record(99, 3, { sent: 1 })], now);
    // 100 > 99 although "100" < "99" as text
    expect(await rt.counters.apply('shard-c', [record(100, 3, { sent: 1 })], now)).toEqual({
      written: 1,
      alreadyCounted: 0,
    });
    await expect(rt.counters.apply('shard-c', [record(-1, 3, {})], now)).rejects.toThrow(
      'stream sequence number "-1" is not 1-48 decimal digits',
    );
  });
});
