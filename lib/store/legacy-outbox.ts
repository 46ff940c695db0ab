/**
 * What a table still holds of the outbox's shape before issue 19, and the one-shot moves that
 * retire it (`afterword migrate-storage`). Then a claim moved its entry to `LEASE#<shard>` (at the
 * lease's end) and a send to `EXPIRE#<shard>` (at the link's expiry); the dispatcher reads neither
 * queue now. Every move is conditional on the entry still being in the old queue, so a second run,
 * or a run after a crash, moves only what is left: idempotent and resumable by construction.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEX, KEY, shardOf } from './table.js';
import { queueEntries, type OutboxPosition, type QueueEntry } from './outbox-queue.js';
import {
  IN_COUNTERS,
  invitationKey,
  OUT_OF_QUEUES,
  queueKeys,
  type LegacyWorkQueue,
} from './invitation-items.js';
import { updateItem } from './update.js';

/** An old entry; `at` is a lease's end (LEASE) or a link's expiry (EXPIRE). */
export type LegacyEntry = QueueEntry;

export class LegacyOutbox {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Up to `limitPerShard` entries of `queue` from each shard, oldest first, read on from `position`. */
  async entries(
    queue: LegacyWorkQueue,
    limitPerShard: number,
    position?: OutboxPosition,
  ): Promise<LegacyEntry[]> {
    return queueEntries(this.doc, this.tableName, queue, limitPerShard, { position });
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

  /**
   * An invitation decided before the stream's counters: marked, so the counters add the state it
   * is in now (domain/counters.ts). Once only: an invitation already marked is left alone.
   */
  async markForCounting(invitationId: string): Promise<boolean> {
    const outcome = await updateItem(this.doc, this.tableName, invitationKey(invitationId), {
      set: { [IN_COUNTERS]: true },
      condition: 'attribute_exists(#pk) AND attribute_not_exists(#counted)',
      names: { '#pk': KEY.pk, '#counted': IN_COUNTERS },
    });
    return outcome.updated;
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
