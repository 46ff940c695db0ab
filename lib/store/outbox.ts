/**
 * The dispatcher's access to invitations: the work that has fallen due in the sparse outbox index
 * (a survey to send, a reminder), and the conditional steps that move an invitation through
 * sending. Every step is a single conditional UpdateItem, so of two dispatchers only one wins each
 * step, and a survey is sent at most once.
 *
 * The shape (issue 19): the DUE entry is written once, with the decision, and is left once, by the
 * send's outcome; the claim changes no index key, so it writes no index. A claim that loses finds
 * the invitation as it stands in the same request: a send whose lease ran out is found that way,
 * with no queue of leases. Expiry is derived (`expiresAt` passed, unanswered), never written.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Invitation } from '../contracts/invitation.js';
import { INDEX } from './table.js';
import {
  dueUpTo,
  invitationFromItem,
  invitationKey,
  OUT_OF_QUEUES,
  queueKeys,
  queuePartition,
  type WorkQueue,
} from './invitation-items.js';
import { StateConflictError, updateItem, type Change } from './update.js';
import { queueEntries, type OutboxPosition, type QueueEntry } from './outbox-queue.js';

/** The reminder queue's condition: still waiting for its reminder, and not answered or closed. */
const AWAITING_REMINDER = '#opk = :queue AND #status IN (:sent, :delivered)';

export class OutboxStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Scheduled invitations whose send time has come, oldest first in each shard. With a `position`,
   * each shard is read on from where the last call stopped (and the position moves on): a page
   * never reads again what an earlier page of the same tick read.
   */
  async due(
    now: Date,
    limitPerShard: number,
    position?: OutboxPosition,
  ): Promise<{ invitationId: string; sendAt: string }[]> {
    const items = await this.dueIn('DUE', now, limitPerShard, position);
    return items.map(({ invitationId, at }) => ({ invitationId, sendAt: at }));
  }

  /** Invitations whose work in `queue` has fallen due by `now`, oldest first in each shard. */
  async dueIn(
    queue: WorkQueue,
    now: Date,
    limitPerShard: number,
    position?: OutboxPosition,
  ): Promise<QueueEntry[]> {
    return queueEntries(this.doc, this.tableName, queue, limitPerShard, {
      upTo: dueUpTo(now),
      position,
    });
  }

  /**
   * Takes a scheduled invitation for sending (scheduled → sending, with a lease until
   * `leaseUntil`). Only one caller can win; the others get `undefined`.
   */
  async claim(invitationId: string, leaseUntil: Date): Promise<Invitation | undefined> {
    return (await this.claimOrRead(invitationId, leaseUntil)).claimed;
  }

  /**
   * The claim, and when it is lost, the invitation as the failed condition found it (no second
   * read): the dispatcher tells an abandoned send (its lease ran out) from one in flight.
   */
  async claimOrRead(
    invitationId: string,
    leaseUntil: Date,
  ): Promise<
    | { claimed: Invitation }
    | { claimed: undefined; current: Invitation | undefined; inOutbox: boolean }
  > {
    const outcome = await updateItem(
      this.doc,
      this.tableName,
      invitationKey(invitationId),
      {
        set: { status: 'sending', leaseUntil: leaseUntil.toISOString() },
        condition: '#status = :from',
        names: { '#status': 'status' },
        values: { ':from': 'scheduled' },
      },
      { returnNew: true },
    );
    if (outcome.updated) return { claimed: invitationFromItem(outcome.item!) };
    return {
      claimed: undefined,
      current: outcome.current ? invitationFromItem(outcome.current) : undefined,
      inOutbox: isDueEntry(outcome.current?.[INDEX.outbox.pk]),
    };
  }

  /** Records the send; the invitation leaves the outbox, or waits there for its reminder. */
  async markSent(
    invitationId: string,
    sent: { messageId: string; sentAt: Date; expiresAt: Date; remindAt?: Date },
  ) {
    // Conditional: a sender that outlived its lease finds the survey already marked `unknown`
    // and must leave that record alone (false), not fail.
    const updated = await this.update(invitationId, {
      set: {
        status: 'sent',
        messageId: sent.messageId,
        sentAt: sent.sentAt.toISOString(),
        expiresAt: sent.expiresAt.toISOString(),
        ...(sent.remindAt ? queueKeys('REMIND', invitationId, sent.remindAt.toISOString()) : {}),
      },
      remove: ['leaseUntil', ...(sent.remindAt ? [] : OUT_OF_QUEUES)],
      condition: '#status = :from',
      values: { ':from': 'sending' },
    });
    return updated !== undefined;
  }

  /**
   * Puts a claimed invitation back in the outbox, due again at `retryAt` (SES throttled us, or the
   * send window is closed): the one step that moves the entry. Only the entry moves: `sendAt` keeps the planned send time, so
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
   * Takes a sent, unanswered invitation's reminder (it leaves the outbox), once. Returns the
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
      set: { reminderAt: now.toISOString() },
      remove: OUT_OF_QUEUES,
      condition: AWAITING_REMINDER,
      values: this.reminderValues(invitationId),
      names: { '#opk': INDEX.outbox.pk },
    });
  }

  /**
   * Puts a due reminder off until `at` (the customer's send window opens then), or drops it when
   * the survey closes first: it then leaves the outbox.
   */
  async deferReminder(invitationId: string, at: Date, expiresAt: string) {
    const later = at.toISOString() < expiresAt;
    await this.update(invitationId, {
      ...(later
        ? { set: queueKeys('REMIND', invitationId, at.toISOString()) }
        : { remove: OUT_OF_QUEUES }),
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

  /**
   * Takes an entry out of `DUE` whose invitation is settled (`status`) but still there: nothing
   * the dispatcher writes now leaves one, but an older version's in-flight send could.
   */
  async leave(invitationId: string, status: Invitation['status']): Promise<boolean> {
    const outcome = await updateItem(this.doc, this.tableName, invitationKey(invitationId), {
      remove: OUT_OF_QUEUES,
      condition: '#status = :status AND #opk = :due',
      names: { '#status': 'status', '#opk': INDEX.outbox.pk },
      values: { ':status': status, ':due': queuePartition('DUE', invitationId) },
    });
    return outcome.updated;
  }

  private reminderValues(invitationId: string) {
    return {
      ':queue': queuePartition('REMIND', invitationId),
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

const isDueEntry = (outboxPk: unknown) =>
  typeof outboxPk === 'string' && outboxPk.startsWith('DUE#');
