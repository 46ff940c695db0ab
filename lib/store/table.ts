/**
 * The single DynamoDB table: its key schema and indexes, defined once for the local stack, the
 * tests and (through the same constants) the CDK stack. See docs in README "Storage design".
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  PutItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type Projection,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';

export const KEY = { pk: 'pk', sk: 'sk' } as const;

/** The counters' coverage item (store/counters.ts), and the `since` of a table made with them. */
export const COVERAGE_KEY = { [KEY.pk]: 'COUNTERS', [KEY.sk]: 'COVERAGE' };
export const EVERY_DAY = '0000-01-01';
/** The record of which first-shape items remain (store/legacy-shapes.ts). */
export const LEGACY_SHAPES_KEY = { [KEY.pk]: 'STORAGE', [KEY.sk]: 'LEGACY_SHAPES' };

/** DynamoDB TTL attribute (epoch seconds): invitations expire after the configured retention. */
export const TTL_ATTRIBUTE = 'expireAt';

/** Global secondary indexes. Index and attribute names are part of the stored data's contract. */
export const INDEX = {
  /** Sparse outbox: only scheduled invitations carry these keys; due ones are a range query. */
  outbox: { name: 'outbox', pk: 'outboxPk', sk: 'outboxSk' },
  /**
   * Invitations by the UTC date of their send time (or decision time when skipped), with the
   * rollup's attributes projected: written by versions before the stream's counters (issue 19),
   * read for what they wrote; every status change rewrote its entry.
   */
  byDay: { name: 'byDay', pk: 'dayPk', sk: 'daySk' },
  /**
   * The same, keys only and written once with the decision (issue 19): no status change writes
   * it. Read by the recompute from the invitations (`--from-items`), which fetches the items.
   */
  invitationsByDay: { name: 'invitationsByDay', pk: 'invDayPk', sk: 'invDaySk' },
  /** Answers by the UTC date they were given (sparse: only answered invitations). */
  answersByDay: { name: 'answersByDay', pk: 'answerDayPk', sk: 'answerDaySk' },
  /** A customer's invitations by interaction time: the timeline (keys only; written once). */
  byCustomer: { name: 'byCustomer', pk: 'customerPk', sk: 'customerSk' },
} as const;

/** Attributes the rollup reads; only these are copied into the day indexes (no PII there). */
export const ROLLUP_ATTRIBUTES = [
  'invitationId',
  'status',
  'reason',
  'touchpoint',
  'channel',
  'segment',
  'journeyStep',
  'metric',
  'sendAt',
  'decidedAt',
  'sentAt',
  'deliveredAt',
  'bouncedAt',
  'complainedAt',
  'answeredAt',
  'score',
];

/**
 * Partitions each index key is spread over, so a busy day or a big backlog is not one hot
 * partition; readers query every shard in parallel.
 */
export const SHARDS = 4;

export function shardOf(id: string): number {
  return createHash('sha256').update(id).digest()[0]! % SHARDS;
}

export function createTableInput(tableName: string): CreateTableCommandInput {
  const attribute = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  const gsi = (index: { name: string; pk: string; sk: string }, projection: Projection) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.pk, KeyType: 'HASH' as const },
      { AttributeName: index.sk, KeyType: 'RANGE' as const },
    ],
    Projection: projection,
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    // The rollup's counters are kept from it, as on AWS (lib/local/stream-poller.ts here).
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    AttributeDefinitions: [
      KEY.pk,
      KEY.sk,
      ...Object.values(INDEX).flatMap((i) => [i.pk, i.sk]),
    ].map(attribute),
    KeySchema: [
      { AttributeName: KEY.pk, KeyType: 'HASH' },
      { AttributeName: KEY.sk, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      gsi(INDEX.outbox, { ProjectionType: 'KEYS_ONLY' }),
      gsi(INDEX.byDay, { ProjectionType: 'INCLUDE', NonKeyAttributes: ROLLUP_ATTRIBUTES }),
      gsi(INDEX.answersByDay, { ProjectionType: 'INCLUDE', NonKeyAttributes: ROLLUP_ATTRIBUTES }),
      gsi(INDEX.byCustomer, { ProjectionType: 'KEYS_ONLY' }),
      gsi(INDEX.invitationsByDay, { ProjectionType: 'KEYS_ONLY' }),
    ],
  };
}

/**
 * Creates the table if it does not exist (local stack and tests; CDK owns it on AWS), and adds
 * an index a newer version defines to a table an older one made (a local stack's kept data).
 * `countersFrom`: a table made here holds no invitation from before the stream's counters, so
 * they stand for every day in this time zone (store/counters.ts coverage); on AWS `afterword
 * migrate-storage` records that. `noLegacyShapes`: a table made here holds no item of the first
 * key shapes (store/legacy-shapes.ts), which is recorded so they are not read; on AWS the nightly
 * rollup's count records it.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  {
    countersFrom,
    noLegacyShapes = false,
  }: { countersFrom?: { timeZone: string }; noLegacyShapes?: boolean } = {},
): Promise<void> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const input = createTableInput(tableName);
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    // One index per UpdateTable, as DynamoDB allows.
    for (const index of input.GlobalSecondaryIndexes ?? []) {
      if (present.has(index.IndexName)) continue;
      const keys = new Set(index.KeySchema?.map((key) => key.AttributeName));
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: input.AttributeDefinitions?.filter((a) =>
            keys.has(a.AttributeName),
          ),
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
    }
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    return;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    }),
  );
  if (countersFrom) {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...marshall(COVERAGE_KEY),
          since: { S: EVERY_DAY },
          timeZone: { S: countersFrom.timeZone },
        },
      }),
    );
  }
  if (noLegacyShapes) {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...marshall(LEGACY_SHAPES_KEY),
          remaining: { N: '0' },
          countedAt: { S: new Date().toISOString() },
        },
      }),
    );
  }
}

/** BatchGetItem reads at most this many keys per request. */
const BATCH_GET_KEYS = 100;
/** Attempts at keys DynamoDB left unprocessed (throttling), with exponential backoff. */
const BATCH_GET_ATTEMPTS = 8;

/**
 * Every item of `keys` that exists, read with BatchGetItem in requests of 100, keys DynamoDB left
 * unprocessed asked for again with backoff (bounded; then an error naming how many were left).
 * Items come back in no particular order.
 */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: Record<string, unknown>[],
  {
    consistent = false,
    what = 'items',
    onUnits,
  }: {
    consistent?: boolean;
    what?: string;
    /** Told the read units each request consumed (benchmarks). */
    onUnits?: (units: number) => void;
  } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    let pending: Record<string, unknown>[] = keys.slice(i, i + BATCH_GET_KEYS);
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt === BATCH_GET_ATTEMPTS) {
        throw new Error(`${pending.length} ${what} left unread after ${attempt} attempts`);
      }
      if (attempt) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const page: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } },
          ...(onUnits ? { ReturnConsumedCapacity: 'TOTAL' as const } : {}),
        }),
      );
      onUnits?.(page.ConsumedCapacity?.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0) ?? 0);
      items.push(...(page.Responses?.[tableName] ?? []));
      pending = page.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}
