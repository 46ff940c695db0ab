/**
 * Reading an outbox queue: each shard's entries oldest first, page by page, from where the last
 * page stopped. The dispatcher's ticks and the migration's passes read through this one query.
 */
import {
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { INDEX, SHARDS } from './table.js';
import type { WorkQueue } from './invitation-items.js';

/** Where each shard's reading stopped within a tick: the last entry read (its keys). */
export type OutboxPosition = Map<number, Record<string, unknown>>;

/** An entry of an outbox queue: its invitation and the time it is keyed by. */
export interface QueueEntry {
  invitationId: string;
  at: string;
}

/**
 * Up to `limitPerShard` entries of `queue` from each shard, oldest first, up to `upTo` when given
 * (keys only: the index's and the table's, all an ExclusiveStartKey needs). With a `position`,
 * each shard reads on from where the last call stopped, and the position moves on.
 */
export async function queueEntries(
  doc: DynamoDBDocumentClient,
  tableName: string,
  queue: WorkQueue,
  limitPerShard: number,
  { upTo, position }: { upTo?: string; position?: OutboxPosition | undefined },
): Promise<QueueEntry[]> {
  const perShard = await Promise.all(
    Array.from({ length: SHARDS }, async (_, shard) => {
      const { Items = [] }: QueryCommandOutput = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: INDEX.outbox.name,
          KeyConditionExpression: upTo === undefined ? '#pk = :pk' : '#pk = :pk AND #sk <= :upTo',
          ExpressionAttributeNames: {
            '#pk': INDEX.outbox.pk,
            ...(upTo === undefined ? {} : { '#sk': INDEX.outbox.sk }),
          },
          ExpressionAttributeValues: {
            ':pk': `${queue}#${shard}`,
            ...(upTo === undefined ? {} : { ':upTo': upTo }),
          },
          Limit: limitPerShard,
          ExclusiveStartKey: position?.get(shard),
        }),
      );
      if (position && Items.length) position.set(shard, Items.at(-1)!);
      return Items.map((item) => {
        const [at = '', invitationId = ''] = String(item[INDEX.outbox.sk]).split('#');
        return { invitationId, at };
      });
    }),
  );
  return perShard.flat();
}
