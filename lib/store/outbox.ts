/**
 * The dispatcher's access to invitations: the work that has fallen due in the sparse outbox index
 * (a survey to send, a lease run out, a reminder, an expiry), and the conditional steps that move
 * an invitation through sending. Every step is a single conditional UpdateItem, so of two
 * dispatchers only one wins each step, and a survey is sent at most once.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Invitation } from '../contracts/invitation.js';
import { INDEX, KEY, SHARDS, shardOf } from './table.js';
import {
  invitationFromItem,
  invitationKey,
  OUT_OF_QUEUES,
  queueKeys,
  type WorkQueue,
} from './invitation-items.js';
import { StateConflictError, updateItem, type Change } from './update.js';

/** The reminder queue's condition: still waiting for its reminder, and not answered or closed. */
const AWAITING_REMINDER = '#opk = :queue AND #status IN (:sent, :delivered)';

export class OutboxStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Scheduled invitations whose send time has come, oldest first in each shard. */
  async due(now: Date, limitPerShard: number): Promise<{ invitationId: string; sendAt: string }[]> {
    const items = await this.dueIn('DUE', now, limitPerShard);
    return items.map(({ invitationId, at }) => ({ invitationId, sendAt: at }));
  }

  /** Invitations whose work in `queue` has fallen due by `now`, oldest first in each shard. */
  async dueIn(
    queue: WorkQueue,
    now: Date,
    limitPerShard: number,
  ): Promise<{ invitationId: string; at: string }[]> {
    const upTo = `${now.toISOString()}#\uffff`;
    const perShard = await Promise.all(
      Array.from({ length: SHARDS }, async (_, shard) => {
        const { Items = [] } = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEX.outbox.name,
            KeyConditionExpression: '#pk = :pk AND #sk <= :upTo',
            ExpressionAttributeNames: { '#pk': INDEX.outbox.pk, '#sk': INDEX.outbox.sk },
            ExpressionAttributeValues: { ':pk': `${queue}#${shard}`, ':upTo': upTo },
            Limit: limitPerShard,
          }),
        );
        return Items.map((item) => {
          const [at = '', invitationId = ''] = String(item[INDEX.outbox.sk]).split('#');
          return { invitationId, at };
        });
      }),
    );
    return perShard.flat();
  }

  /**
   * Takes a scheduled invitation for sending (scheduled → sending, DUE → LEASE until
   * `leaseUntil`). Only one caller can win; the others get `undefined`.
   */
  async claim(invitationId: string, leaseUntil: Date): Promise<Invitation | undefined> {
    const lease = leaseUntil.toISOString();
    return this.update(invitationId, {
      set: { status: 'sending', leaseUntil: lease, ...queueKeys('LEASE', invitationId, lease) },
      condition: '#status = :from',
      values: { ':from': 'scheduled' },
    });
  }

  /** Records the send; the invitation waits for its reminder, or for its expiry. */
  async markSent(
    invitationId: string,
    sent: { messageId: string; sentAt: Date; expiresAt: Date; remindAt?: Date },
  ) {
    const next = sent.remindAt
      ? queueKeys('REMIND', invitationId, sent.remindAt.toISOString())
      : queueKeys('EXPIRE', invitationId, sent.expiresAt.toISOString());
    // Conditional: a sender that outlived its lease finds the survey already marked `unknown`
    // and must leave that record alone (false), not fail.
    const updated = await this.update(invitationId, {
      set: {
        status: 'sent',
        messageId: sent.messageId,
        sentAt: sent.sentAt.toISOString(),
        expiresAt: sent.expiresAt.toISOString(),
        ...next,
      },
      remove: ['leaseUntil'],
      condition: '#status = :from',
      values: { ':from': 'sending' },
    });
    return updated !== undefined;
  }

  /**
   * Puts a claimed invitation back in the outbox, due again at `retryAt` (SES throttled us, or the
   * send window is closed). Only the queue entry moves: `sendAt` keeps the planned send time, so
   * lateness is always measured from it, however often a send is put off.
   */
  async release(invitationId: string, retryAt: Date) {
    await this.transition(invitationId, 'sending', {
      set: { status: 'scheduled', ...queueKeys('DUE', invitationId, retryAt.toISOString()) },
      remove: ['leaseUntil'],
    });
  }

  /** A claimed survey that will not be sent after all: too late, or the customer opted out meanwhile. */
  async markNotSent(invitationId: string, status: 'skipped' | 'cancelled', reason: string) {
    await this.transition(invitationId, 'sending', {
      set: { status, reason },
      remove: ['leaseUntil', ...OUT_OF_QUEUES],
    });
  }

  async markFailed(invitationId: string, reason: string) {
    await this.transition(invitationId, 'sending', {
      set: { status: 'failed', reason },
      remove: ['leaseUntil', ...OUT_OF_QUEUES],
    });
  }

  /**
   * A lease that ran out: the sender died between claiming and recording. SES may or may not have
   * accepted the email, so it is not sent again (at most once): it becomes `unknown`.
   */
  async markUnknown(invitationId: string, now: Date): Promise<boolean> {
    const updated = await this.update(invitationId, {
      set: { status: 'unknown', reason: 'lease-expired' },
      remove: ['leaseUntil', ...OUT_OF_QUEUES],
      condition: '#status = :from AND leaseUntil <= :now',
      values: { ':from': 'sending', ':now': now.toISOString() },
    });
    return updated !== undefined;
  }

  /**
   * The send failed in a way that leaves open whether SES accepted the email (a timeout, a server
   * error): like an abandoned lease, it becomes `unknown` and is never sent again.
   */
  async markUncertain(invitationId: string, code: string) {
    await this.transition(invitationId, 'sending', {
      set: { status: 'unknown', reason: `send-uncertain:${code}` },
      remove: ['leaseUntil', ...OUT_OF_QUEUES],
    });
  }

  /**
   * Takes a sent, unanswered invitation's reminder (REMIND → EXPIRE), once. Returns the
   * invitation, or undefined when another dispatcher took it or it no longer needs one. `current`
   * is the caller's read of it.
   */
  async claimReminder(
    invitationId: string,
    now: Date,
    current: Invitation | undefined,
  ): Promise<Invitation | undefined> {
    if (!current?.expiresAt) return undefined;
    return this.update(invitationId, {
      set: {
        reminderAt: now.toISOString(),
        ...queueKeys('EXPIRE', invitationId, current.expiresAt),
      },
      condition: AWAITING_REMINDER,
      values: this.reminderValues(invitationId),
      names: { '#opk': INDEX.outbox.pk },
    });
  }

  /**
   * Puts a due reminder off until `at` (the customer's send window opens then), or drops it when
   * the survey closes first: it then only waits for its expiry.
   */
  async deferReminder(invitationId: string, at: Date, expiresAt: string) {
    const next =
      at.toISOString() < expiresAt
        ? queueKeys('REMIND', invitationId, at.toISOString())
        : queueKeys('EXPIRE', invitationId, expiresAt);
    await this.update(invitationId, {
      set: next,
      condition: AWAITING_REMINDER,
      values: this.reminderValues(invitationId),
      names: { '#opk': INDEX.outbox.pk },
    });
  }

  async markReminderSent(invitationId: string, messageId: string) {
    await updateItem(this.doc, this.tableName, invitationKey(invitationId), {
      set: { reminderMessageId: messageId },
    });
  }

  /** Closes an unanswered survey whose link has expired (sent/delivered → expired). */
  async expire(invitationId: string, now: Date): Promise<boolean> {
    const updated = await this.update(invitationId, {
      set: { status: 'expired' },
      remove: OUT_OF_QUEUES,
      condition: '#status IN (:sent, :delivered) AND expiresAt <= :now',
      values: { ':sent': 'sent', ':delivered': 'delivered', ':now': now.toISOString() },
    });
    if (updated) return true;
    // Answered or bounced meanwhile: it only has to leave the queue (unless it is gone).
    await updateItem(this.doc, this.tableName, invitationKey(invitationId), {
      remove: OUT_OF_QUEUES,
      condition: 'attribute_exists(#pk)',
      names: { '#pk': KEY.pk },
    });
    return false;
  }

  private reminderValues(invitationId: string) {
    return {
      ':queue': `REMIND#${shardOf(invitationId)}`,
      ':sent': 'sent',
      ':delivered': 'delivered',
    };
  }

  /** An update under a condition on the status; the new invitation, or undefined when it failed. */
  private async update(invitationId: string, change: Change): Promise<Invitation | undefined> {
    const outcome = await updateItem(
      this.doc,
      this.tableName,
      invitationKey(invitationId),
      { ...change, names: { '#status': 'status', ...change.names } },
      { returnNew: true },
    );
    return outcome.updated && outcome.item ? invitationFromItem(outcome.item) : undefined;
  }

  /** Moves an invitation on from `from`; an invitation in another state is a bug, so it throws. */
  private async transition(
    invitationId: string,
    from: Invitation['status'],
    change: Pick<Change, 'set' | 'remove'>,
  ) {
    const updated = await this.update(invitationId, {
      ...change,
      condition: '#status = :from',
      values: { ':from': from },
    });
    if (!updated) throw new StateConflictError('invitation', invitationId, from);
  }
}
