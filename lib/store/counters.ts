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
 *
 * A transaction holds 100 items and an update expression 4 KB, so a batch is written as several
 * transactions of at most 99 cells and `COUNTERS_PER_CELL` counters per cell, each moving the
 * position past its own records. The position is `<sequence>:<part>`: a record too large for one
 * transaction (a long questionnaire changed within one cell) is written in parts `0000`, `0001`…,
 * its last part `Z`, so even its parts count once each.
 */
import {
  DescribeTableCommand,
  TransactionCanceledException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { cellKeyOf, mergeDeltas, type CellDelta } from '../domain/counters.js';
import {
  COUNTER_PREFIX,
  COUNTERS_PER_CELL,
  counterDayPartition,
  counterKey,
  countRecords,
  paddedSequence,
  positionKey,
  storedOf,
  unitsOf,
  type StoredCounters,
  type Unit,
} from './counter-items.js';
import { COVERAGE_KEY, KEY, TTL_ATTRIBUTE } from './table.js';
import { updateItem } from './update.js';
import { registerStore } from './parts.js';

/** A transaction holds at most 100 items: the position and 99 cells. */
const CELLS_PER_WRITE = 99;
/** A position outlives its shard's records (DynamoDB keeps a stream's records 24 hours). */
const POSITION_DAYS = 3;
/** Transactions lost to another shard's on the same cell, tried again before the batch fails. */
const CONFLICT_ATTEMPTS = 6;

export interface CountedRecord {
  /** The record's sequence number in its shard. */
  sequence: string;
  deltas: CellDelta[];
}

export class CounterStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly dynamodb?: DynamoDBClient,
  ) {}

  /** Whether the table's stream is on with both images: what the counting reads. */
  async streamReady(): Promise<boolean> {
    if (!this.dynamodb) throw new Error('the counter store was built without a DynamoDB client');
    const { Table } = await this.dynamodb.send(
      new DescribeTableCommand({ TableName: this.tableName }),
    );
    const stream = Table?.StreamSpecification;
    return stream?.StreamEnabled === true && stream.StreamViewType === 'NEW_AND_OLD_IMAGES';
  }

  /**
   * Adds the records' deltas (of one shard) to the counters, each record exactly once: records at
   * or before the shard's position are already counted. Returns how many were written now.
   */
  async apply(
    shardId: string,
    records: readonly CountedRecord[],
    now: Date,
  ): Promise<{ written: number; alreadyCounted: number }> {
    // Records come in shard order, except when Lambda processes some again: sort, once each.
    const bySequence = new Map(records.map((record) => [paddedSequence(record.sequence), record]));
    const sorted = [...bySequence].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let pending = sorted.flatMap(([sequence, record]) => unitsOf(sequence, record.deltas));
    const total = sorted.length;
    let alreadyCounted = 0;
    for (let conflicts = 0; pending.length;) {
      const chunk = takeChunk(pending);
      const cells = mergeDeltas(chunk.flatMap((unit) => unit.cells));
      try {
        if (cells.length) {
          await this.write(shardId, chunk[0]!.key, chunk.at(-1)!.key, cells, now);
        }
        pending = pending.slice(chunk.length);
        conflicts = 0;
      } catch (error) {
        const position = positionOfConflict(error);
        if (position !== undefined) {
          // Counted before (a retried or redriven batch): go on after the stored position.
          const after = pending.filter((unit) => unit.key > position);
          if (after.length === pending.length) throw error; // the position did not explain it
          alreadyCounted += countRecords(pending) - countRecords(after);
          pending = after;
        } else if (isContention(error) && ++conflicts < CONFLICT_ATTEMPTS) {
          // Every shard adds to today's cells: another transaction held one. Safe to try again,
          // as the position's condition makes the write count once.
          await sleep(Math.random() * 25 * 2 ** conflicts);
        } else throw error;
      }
    }
    return { written: total - alreadyCounted, alreadyCounted };
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
      new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }),
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
      const alias = i.toString(36);
      names[`#c${alias}`] = `${COUNTER_PREFIX}${name}`;
      values[`:c${alias}`] = value;
      return `#c${alias} :c${alias}`;
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
    return (await this.partition(counterDayPartition(day))).map(storedOf);
  }

  /**
   * From which day, cut in which time zone, the counters hold every invitation: recorded by
   * `afterword migrate-storage` once it has marked the older ones (and by a new local table).
   * Days before it, or every day under another time zone, are recomputed from the invitations.
   */
  async coverage(): Promise<CounterCoverage | undefined> {
    const [item] = await this.partition(COVERAGE_KEY[KEY.pk]);
    return typeof item?.since === 'string' && typeof item.timeZone === 'string'
      ? { since: item.since, timeZone: item.timeZone }
      : undefined;
  }

  /** Every item of a partition, page by page. */
  private async partition(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': KEY.pk },
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Records the coverage, unless one is recorded: the first is the one the counters hold. */
  async recordCoverage(coverage: CounterCoverage, at: Date): Promise<CounterCoverage> {
    const outcome = await updateItem(this.doc, this.tableName, COVERAGE_KEY, {
      set: { since: coverage.since, timeZone: coverage.timeZone, recordedAt: at.toISOString() },
      condition: 'attribute_not_exists(#since)',
      names: { '#since': 'since' },
    });
    if (outcome.updated) return coverage;
    const current = outcome.current as Partial<CounterCoverage> | undefined;
    return { since: String(current?.since), timeZone: String(current?.timeZone) };
  }
}

export interface CounterCoverage {
  /** The first day (YYYY-MM-DD) whose counters hold every invitation. */
  since: string;
  timeZone: string;
}

/** The first units of `pending` that fit one transaction (at least one). */
function takeChunk(pending: readonly Unit[]): Unit[] {
  const countersByCell = new Map<string, Set<string>>();
  let end = 0;
  for (const unit of pending) {
    // What this unit would add: new cells, and new counters in cells already taken.
    const added = new Map<string, string[]>();
    for (const delta of unit.cells) {
      const key = cellKeyOf(delta.cell);
      const names = countersByCell.get(key);
      const fresh = Object.keys(delta.counters).filter((name) => !names?.has(name));
      added.set(key, [...(added.get(key) ?? []), ...fresh]);
    }
    const cells =
      countersByCell.size + [...added.keys()].filter((k) => !countersByCell.has(k)).length;
    const tooWide = [...added].some(
      ([key, fresh]) =>
        (countersByCell.get(key)?.size ?? 0) + new Set(fresh).size > COUNTERS_PER_CELL,
    );
    if (end > 0 && (cells > CELLS_PER_WRITE || tooWide)) break;
    for (const [key, fresh] of added) {
      const names = countersByCell.get(key) ?? new Set<string>();
      for (const name of fresh) names.add(name);
      countersByCell.set(key, names);
    }
    end += 1;
  }
  return pending.slice(0, end);
}

/** Another transaction held an item (or DynamoDB throttled one): worth trying again. */
function isContention(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some(
      (reason) => reason.Code === 'TransactionConflict' || reason.Code === 'ThrottlingError',
    )
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The shard's stored position, when a write failed on it; undefined for any other failure. */
function positionOfConflict(error: unknown): string | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reason = error.CancellationReasons?.[0];
  if (reason?.Code !== 'ConditionalCheckFailed' || !reason.Item) return undefined;
  const position: unknown = unmarshall(reason.Item).sequence;
  return typeof position === 'string' ? position : undefined;
}

registerStore('counters', (doc, tableName, dynamodb) => new CounterStore(doc, tableName, dynamodb));
