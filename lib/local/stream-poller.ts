/**
 * The local stand-in for Lambda's event source mapping on the table's stream: reads each shard of
 * DynamoDB Local's stream in order and hands each batch, with its shard id (as a tumbling window's
 * event carries it), to the counting handler. A failed batch is tried again from its first record,
 * up to `maxAttempts` times, then recorded as a dead letter (shard and sequence range, as Lambda's
 * on-failure destination records it) and passed over.
 */
import { DescribeTableCommand, UpdateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  TrimmedDataAccessException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { log } from '../adapters/log.js';
import {
  countStream,
  type CountStreamDeps,
  type StreamBatch,
  type StreamRecord,
} from '../usecases/count-stream.js';
import type { DeadLetterSink } from './dead-letters.js';

interface ShardState {
  /** The last record handed over (and handled, or dead-lettered). */
  after?: string;
  iterator?: string;
  closed: boolean;
  failures: number;
}

export interface StreamPollerOptions {
  /** DynamoDB Local's endpoint: it serves the stream API too. */
  endpoint: string;
  tableName: string;
  handle: (batch: StreamBatch) => Promise<unknown>;
  deadLetters?: DeadLetterSink;
  maxAttempts?: number;
}

export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly dynamodb: DynamoDBClient;
  private readonly shards = new Map<string, ShardState>();
  private streamArn?: string;
  private busy: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: StreamPollerOptions) {
    const config = {
      endpoint: options.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    this.streams = new DynamoDBStreamsClient(config);
    this.dynamodb = new DynamoDBClient(config);
  }

  /** Polls every `intervalMs` until stopped; never two polls at once. */
  start(intervalMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      this.drain()
        .catch((error: Error) => log.error('count.poll-failed', { error: error.message }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.busy.catch(() => undefined);
    this.streams.destroy();
    this.dynamodb.destroy();
  }

  /**
   * Hands over every record in the stream now, shard by shard, and resolves when a whole round
   * found nothing new. Returns how many records it handed over.
   */
  drain(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    const run = this.busy.then(() => this.round());
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async round(): Promise<number> {
    let total = 0;
    for (let rounds = 0; ; rounds++) {
      await this.discoverShards();
      let found = 0;
      // One shard's failing batch holds back that shard only, as on Lambda.
      const failures: unknown[] = [];
      for (const [shardId, shard] of this.shards) {
        if (shard.closed) continue;
        try {
          found += await this.readShard(shardId, shard);
        } catch (error) {
          failures.push(error);
        }
      }
      total += found;
      if (failures.length) throw failures[0];
      if (found === 0 || rounds > 1000) return total;
    }
  }

  /** The table's stream (turned on for a table made before streams were) and its shards. */
  private async discoverShards(): Promise<void> {
    if (!this.streamArn) {
      const { Table } = await this.dynamodb.send(
        new DescribeTableCommand({ TableName: this.options.tableName }),
      );
      this.streamArn = Table?.LatestStreamArn;
      const view = Table?.StreamSpecification?.StreamViewType;
      if (Table?.StreamSpecification?.StreamEnabled && view !== 'NEW_AND_OLD_IMAGES') {
        throw new Error(
          `table ${this.options.tableName} has a ${view} stream: the counting needs NEW_AND_OLD_IMAGES (turn the stream off and let the local stack turn it on again)`,
        );
      }
      if (!this.streamArn || !Table?.StreamSpecification?.StreamEnabled) {
        const updated = await this.dynamodb.send(
          new UpdateTableCommand({
            TableName: this.options.tableName,
            StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
          }),
        );
        this.streamArn = updated.TableDescription?.LatestStreamArn;
      }
      if (!this.streamArn) throw new Error(`table ${this.options.tableName} has no stream`);
    }
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !this.shards.has(shard.ShardId)) {
          this.shards.set(shard.ShardId, { closed: false, failures: 0 });
        }
      }
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  /** Reads one shard until it has nothing more; returns the records handed over. */
  private async readShard(shardId: string, shard: ShardState): Promise<number> {
    let handed = 0;
    for (;;) {
      let page;
      try {
        shard.iterator ??= await this.iteratorAfter(shardId, shard.after);
        page = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }),
        );
      } catch (error) {
        if (error instanceof ExpiredIteratorException) {
          shard.iterator = undefined;
          continue;
        }
        if (error instanceof TrimmedDataAccessException && shard.after) {
          // Past the stream's retention (a stack stopped for a day): the oldest record left.
          log.warn('count.records-trimmed', { shardId });
          shard.after = undefined;
          shard.iterator = undefined;
          continue;
        }
        throw error;
      }
      const records = page.Records ?? [];
      if (!page.NextShardIterator) shard.closed = true;
      if (!records.length) {
        shard.iterator = page.NextShardIterator;
        return handed;
      }
      const batch: StreamBatch = { Records: records.map(lambdaRecordOf), shardId, state: {} };
      try {
        await this.options.handle(batch);
        shard.failures = 0;
      } catch (error) {
        shard.failures += 1;
        if (shard.failures < (this.options.maxAttempts ?? 3)) {
          // Lambda tries the batch again from its first record: read from there next round.
          shard.iterator = undefined;
          shard.closed = false;
          throw error;
        }
        this.deadLetter(shardId, records, error as Error, shard.failures);
        shard.failures = 0;
      }
      shard.after = records.at(-1)!.dynamodb!.SequenceNumber;
      shard.iterator = page.NextShardIterator;
      handed += records.length;
      if (shard.closed) return handed;
    }
  }

  private async iteratorAfter(shardId: string, after: string | undefined): Promise<string> {
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    if (!ShardIterator) throw new Error(`no iterator for shard ${shardId}`);
    return ShardIterator;
  }

  private deadLetter(shardId: string, records: _Record[], error: Error, attempts: number) {
    log.error('count.batch-dead-lettered', { shardId, records: records.length, error: error.name });
    this.options.deadLetters?.add({
      at: new Date().toISOString(),
      rule: 'table-stream',
      target: 'count',
      attempts,
      error: error.message,
      // What Lambda's on-failure destination records: where the records are, not the records.
      event: {
        DDBStreamBatchInfo: {
          shardId,
          startSequenceNumber: records[0]!.dynamodb?.SequenceNumber,
          endSequenceNumber: records.at(-1)!.dynamodb?.SequenceNumber,
          batchSize: records.length,
          streamArn: this.streamArn,
        },
      },
    });
  }
}

/** A GetRecords record in the shape Lambda's event gives it. */
function lambdaRecordOf(record: _Record): StreamRecord {
  return {
    eventName: record.eventName,
    ...(record.userIdentity
      ? {
          userIdentity: {
            type: record.userIdentity.Type,
            principalId: record.userIdentity.PrincipalId,
          },
        }
      : {}),
    dynamodb: {
      // The stream API's attribute values are DynamoDB's, as JSON: the same shape.
      Keys: record.dynamodb?.Keys,
      NewImage: record.dynamodb?.NewImage,
      OldImage: record.dynamodb?.OldImage,
      SequenceNumber: record.dynamodb?.SequenceNumber,
    },
  };
}

/** The stream of `rt`'s table counted as the count function counts it on AWS. */
export function countingPoller(
  rt: CountStreamDeps & { settings: { tableName: string } },
  endpoint: string,
  deadLetters?: DeadLetterSink,
): StreamPoller {
  return new StreamPoller({
    endpoint,
    tableName: rt.settings.tableName,
    handle: (batch) => countStream(rt, batch),
    ...(deadLetters ? { deadLetters } : {}),
  });
}
