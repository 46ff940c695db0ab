/**
 * Counting from the table's stream (issue 19): each change of an invitation adds what it changes
 * to the rollup's counters (domain/counters.ts), exactly once per record (store/counters.ts).
 *
 * Primary course, for one batch of one shard's records (Lambda's tumbling window names the shard;
 * the local stack's stream poller does the same):
 * 1. Keep the changes of invitation items; a deletion by TTL is not a change of what happened
 *    (counts outlive the items, as rollup rows do).
 * 2. For each, the contribution of its new image minus that of its old one.
 * 3. Add them up per cell and write them with the shard's position, in one transaction per 99 cells.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { inFunction } from '../adapters/function-scope.js';
import { log } from '../adapters/log.js';
import { changeOf, type CountedInvitation } from '../domain/counters.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { countedOfDaySortKey, IN_COUNTERS } from '../store/invitation-items.js';
import { INDEX, KEY, ROLLUP_ATTRIBUTES } from '../store/table.js';
import type { CountedRecord } from '../store/counters.js';
// registers the counter store, which this use case reaches (store/parts.ts)
import '../store/counters.js';

export const COUNT_STREAM_USES = ['config', 'counters'] as const satisfies readonly RuntimePart[];
export type CountStreamDeps = Needs<typeof COUNT_STREAM_USES>;

type Image = Record<string, AttributeValue>;

/** A DynamoDB stream record, as Lambda hands it over and as GetRecords returns it. */
export interface StreamRecord {
  /** INSERT, MODIFY or REMOVE. */
  eventName?: string;
  userIdentity?: { type?: string; principalId?: string };
  dynamodb?: {
    Keys?: Image;
    NewImage?: Image;
    OldImage?: Image;
    SequenceNumber?: string;
  };
}

/**
 * A batch of one shard's records: Lambda's event for a stream with a tumbling window (which is
 * what carries `shardId`), or the local poller's.
 */
export interface StreamBatch {
  Records: StreamRecord[];
  shardId?: string;
  /** Tumbling windows: Lambda passes a state along and wants one back (we keep none). */
  state?: Record<string, string>;
}

export class StreamBatchError extends Error {
  override name = 'StreamBatchError';
}

/** Counts a batch; the response is what Lambda expects of a tumbling window's invocation. */
export function countStream(
  rt: CountStreamDeps,
  batch: StreamBatch,
  now: Date = new Date(),
): Promise<{ state: Record<string, string>; written: number; alreadyCounted: number }> {
  // The count function's code wherever it runs (locally also inside a rollup's catch-up).
  return inFunction('count', async () => {
    if (!batch.shardId) {
      // Without the shard, records cannot be told apart from ones already counted.
      throw new StreamBatchError(
        'the stream batch names no shardId: the event source mapping needs a tumbling window',
      );
    }
    const records: CountedRecord[] = [];
    for (const record of batch.Records) {
      const counted = countedRecordOf(record, rt.config.timeZone);
      if (counted) records.push(counted);
    }
    const result = await rt.counters.apply(batch.shardId, records, now);
    if (records.length) {
      log.info('count.batch', { records: batch.Records.length, ...result });
    }
    return { state: {}, ...result };
  });
}

/** What one record changes in the counters, or undefined when it is not an invitation's change. */
export function countedRecordOf(record: StreamRecord, timeZone: string): CountedRecord | undefined {
  const change = record.dynamodb;
  const sequence = change?.SequenceNumber;
  if (!change?.Keys || !sequence) return undefined;
  const keys = unmarshall(change.Keys);
  if (!String(keys[KEY.pk]).startsWith('INV#') || keys[KEY.sk] !== 'INVITATION') return undefined;
  // TTL deletes are the service's own (documented userIdentity), and not a change to count.
  if (
    record.eventName === 'REMOVE' &&
    record.userIdentity?.type === 'Service' &&
    record.userIdentity.principalId === 'dynamodb.amazonaws.com'
  ) {
    return { sequence, deltas: [] };
  }
  const deltas = changeOf(imageOf(change.OldImage), imageOf(change.NewImage), timeZone);
  return { sequence, deltas };
}

/** What an image's counted attributes are: only these are read, so nothing else can break it. */
const COUNTED_ATTRIBUTES = [
  IN_COUNTERS,
  ...ROLLUP_ATTRIBUTES,
  'journeyId',
  INDEX.answersByDay.sk,
  // revenue at risk (domain/value.ts)
  'value',
  'valueIssue',
  // the review programme (domain/review.ts)
  'reviewOffered',
  'reviewClickedAt',
] as const;

function imageOf(image: Image | undefined): CountedInvitation | undefined {
  if (!image) return undefined;
  const counted: Image = {};
  for (const name of COUNTED_ATTRIBUTES) if (image[name]) counted[name] = image[name];
  const item = unmarshall(counted) as Record<string, unknown> & CountedInvitation;
  return { ...item, counted: countedOfDaySortKey(item[INDEX.answersByDay.sk]) };
}
