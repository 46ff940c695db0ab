/**
 * The rollup's counters, kept from the table's stream (issue 19). Item: pk `COUNT#<day>`, sk the
 * cell (JSON of its dimensions), the dimensions and metric as attributes, and one number per
 * counter (`c:<name>`). A stream position per shard (pk `STREAMPOS#<shardId>`) makes the counting
 * exactly once:
 *
 * Lambda reads a shard in order and retries a failed batch from where it stopped, so a record can
 * come again (a retry, a redrive, a batch cut differently). Each write of counters is a transaction
 * with the shard's position, conditional on the position being before the first record written:
 * either all of a batch's sums land and the position moves past its last record, or nothing does.
 * A batch that finds its shard's position past some of its records reads it from the failed
 * condition and writes only the records after it.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Metric } from '../domain/metric.js';
import { cellKeyOf, mergeDeltas, type CellDelta, type CounterCell } from '../domain/counters.js';
import { KEY, TTL_ATTRIBUTE } from './table.js';

/** A transaction holds at most 100 items: the position and 99 cells. */
const CELLS_PER_WRITE = 99;
/** A position outlives its shard's records (DynamoDB keeps a stream's records 24 hours). */
const POSITION_DAYS = 3;
/** Sequence numbers are decimal strings of varying length: padded, they compare as strings. */
const SEQUENCE_DIGITS = 48;
const COUNTER_PREFIX = 'c:';

export interface CountedRecord {
  /** The record's sequence number in its shard. */
  sequence: string;
  deltas: CellDelta[];
}

export interface StoredCounters {
  cell: CounterCell;
  metric: Metric | null;
  counters: Record<string, number>;
}

export function counterKey(cell: CounterCell) {
  return { [KEY.pk]: `COUNT#${cell.day}`, [KEY.sk]: cellKeyOf(cell) };
}

function positionKey(shardId: string) {
  return { [KEY.pk]: `STREAMPOS#${shardId}`, [KEY.sk]: 'POSITION' };
}

export function paddedSequence(sequence: string): string {
  if (!/^\d{1,48}$/.test(sequence)) {
    throw new RangeError(`stream sequence number "${sequence}" is not 1-48 decimal digits`);
  }
  return sequence.padStart(SEQUENCE_DIGITS, '0');
}

export class CounterStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Adds the records' deltas (in shard order) to the counters, each record exactly once: records
   * at or before the shard's position are already counted. Returns how many were written now.
   */
  async apply(
    shardId: string,
    records: readonly CountedRecord[],
    now: Date,
  ): Promise<{ written: number; alreadyCounted: number }> {
    let pending = records.map((record) => ({
      ...record,
      sequence: paddedSequence(record.sequence),
    }));
    let written = 0;
    let alreadyCounted = 0;
    while (pending.length) {
      const chunk = takeChunk(pending);
      const last = chunk.at(-1)!.sequence;
      const cells = mergeDeltas(chunk.flatMap((record) => record.deltas));
      try {
        if (cells.length) await this.write(shardId, chunk[0]!.sequence, last, cells, now);
        written += chunk.length;
        pending = pending.slice(chunk.length);
      } catch (error) {
        const position = positionOfConflict(error);
        if (position === undefined) throw error;
        // Counted before (a retried or redriven batch): go on after the stored position.
        const after = pending.filter((record) => record.sequence > position);
        alreadyCounted += pending.length - after.length;
        if (after.length === pending.length) throw error; // the position did not explain it
        pending = after;
      }
    }
    return { written, alreadyCounted };
  }

  private async write(
    shardId: string,
    first: string,
    last: string,
    cells: CellDelta[],
    now: Date,
  ): Promise<void> {
    const expireAt = Math.floor(now.getTime() / 1000) + POSITION_DAYS * 86_400;
    const items = [
      {
        Update: {
          TableName: this.tableName,
          Key: positionKey(shardId),
          UpdateExpression: 'SET #sequence = :last, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#sequence) OR #sequence < :first',
          ExpressionAttributeNames: { '#sequence': 'sequence', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':last': last, ':first': first, ':ttl': expireAt },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      },
      ...cells.map((delta) => ({ Update: this.cellUpdate(delta) })),
    ];
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: items,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  private cellUpdate(delta: CellDelta) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const set: string[] = [];
    for (const [i, [name, value]] of Object.entries(delta.cell).entries()) {
      names[`#d${i}`] = name;
      values[`:d${i}`] = value;
      set.push(`#d${i} = :d${i}`);
    }
    if (delta.metric) {
      names['#metric'] = 'metric';
      values[':metric'] = delta.metric;
      set.push('#metric = if_not_exists(#metric, :metric)');
    }
    const add = Object.entries(delta.counters).map(([name, value], i) => {
      names[`#c${i}`] = `${COUNTER_PREFIX}${name}`;
      values[`:c${i}`] = value;
      return `#c${i} :c${i}`;
    });
    return {
      TableName: this.tableName,
      Key: counterKey(delta.cell),
      UpdateExpression: `SET ${set.join(', ')} ADD ${add.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /** The counters of one day, every cell (one Query of the day's partition). */
  async day(day: string): Promise<StoredCounters[]> {
    const found: StoredCounters[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': KEY.pk },
          ExpressionAttributeValues: { ':pk': `COUNT#${day}` },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) found.push(storedOf(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }
}

/** The first records of `pending` whose cells fit one transaction (at least one record). */
function takeChunk<T extends CountedRecord>(pending: readonly T[]): T[] {
  const cells = new Set<string>();
  let end = 0;
  for (const record of pending) {
    const keys = record.deltas.map((delta) => cellKeyOf(delta.cell));
    const grown = new Set([...cells, ...keys]);
    if (end > 0 && grown.size > CELLS_PER_WRITE) break;
    for (const key of keys) cells.add(key);
    end += 1;
  }
  return pending.slice(0, end);
}

/** The shard's stored position, when a write failed on it; undefined for any other failure. */
function positionOfConflict(error: unknown): string | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reason = error.CancellationReasons?.[0];
  if (reason?.Code !== 'ConditionalCheckFailed' || !reason.Item) return undefined;
  const position: unknown = unmarshall(reason.Item).sequence;
  return typeof position === 'string' ? position : undefined;
}

function storedOf(item: Record<string, unknown>): StoredCounters {
  const counters: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(COUNTER_PREFIX) && typeof value === 'number') {
      counters[name.slice(COUNTER_PREFIX.length)] = value;
    }
  }
  const text = (name: string) => String(item[name]);
  return {
    cell: {
      day: text('day'),
      touchpoint: text('touchpoint'),
      channel: text('channel'),
      segment: text('segment'),
      journeyId: text('journeyId'),
      journeyStep: text('journeyStep'),
    },
    metric: (item.metric as Metric | undefined) ?? null,
    counters,
  };
}
