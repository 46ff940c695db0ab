/**
 * What a table still holds of the outbox's shape before issue 19, and the one-shot moves that
 * retire it (`afterword migrate-storage`). Then a claim moved its entry to `LEASE#<shard>` (at the
 * lease's end) and a send to `EXPIRE#<shard>` (at the link's expiry); the dispatcher reads neither
 * queue now. Every move is conditional on the entry still being in the old queue, so a second run,
 * or a run after a crash, moves only what is left: idempotent and resumable by construction.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEX, SHARDS, shardOf } from './table.js';
import {
  invitationKey,
  OUT_OF_QUEUES,
  queueKeys,
  type LegacyWorkQueue,
} from './invitation-items.js';
import { updateItem } from './update.js';

export interface LegacyEntry {
  invitationId: string;
  /** The entry's time: a lease's end (LEASE), a link's expiry (EXPIRE). */
  at: string;
}

export class LegacyOutbox {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Up to `limitPerShard` entries of `queue` from each shard, oldest first (keys only). With a
   * `position`, each shard reads on from where the last call stopped, and the position moves on.
   */
  async entries(
    queue: LegacyWorkQueue,
    limitPerShard: number,
    position?: Map<number, Record<string, unknown>>,
  ): Promise<LegacyEntry[]> {
    const perShard = await Promise.all(
      Array.from({ length: SHARDS }, async (_, shard) => {
        const { Items = [] } = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEX.outbox.name,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': INDEX.outbox.pk },
            ExpressionAttributeValues: { ':pk': `${queue}#${shard}` },
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

  /**
   * A claim the old dispatcher held: back in `DUE` at its lease's end, where the dispatcher finds
   * it, sees the lease run out (or the send recorded) and settles it as it settles its own.
   */
  async leaseToDue(entry: LegacyEntry): Promise<boolean> {
    return this.moveFrom('LEASE', entry.invitationId, {
      set: queueKeys('DUE', entry.invitationId, entry.at),
    });
  }

  /** A sent survey waiting for its expiry: expiry is derived now, so it just leaves the index. */
  async dropExpiry(entry: LegacyEntry): Promise<boolean> {
    return this.moveFrom('EXPIRE', entry.invitationId, { remove: OUT_OF_QUEUES });
  }

  private async moveFrom(
    queue: LegacyWorkQueue,
    invitationId: string,
    change: { set?: Record<string, unknown>; remove?: string[] },
  ): Promise<boolean> {
    const outcome = await updateItem(this.doc, this.tableName, invitationKey(invitationId), {
      ...change,
      condition: '#opk = :queue',
      names: { '#opk': INDEX.outbox.pk },
      values: { ':queue': `${queue}#${shardOf(invitationId)}` },
    });
    return outcome.updated;
  }
}
