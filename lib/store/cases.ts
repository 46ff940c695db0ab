/**
 * Follow-up cases: one per invitation whose answer asked for a follow-up (keys and items in
 * case-items.ts). Every change is one conditional write on the status it expects.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { MAX_CASE_NOTES, type CaseStatus, type FollowUpCase } from '../contracts/follow-up-case.js';
import { batchGetAll, INDEX, KEY, SHARDS, TTL_ATTRIBUTE } from './table.js';
import { ERASED_CUSTOMER_ID } from '../contracts/invitation.js';
import { monthsBetween } from '../domain/time.js';
import {
  CASE_QUEUE,
  caseFromItem,
  caseKey,
  casesOf,
  deadlineKeys,
  statusesThatReach,
} from './case-items.js';
import { StateConflictError, updateItem, type Change } from './update.js';

export type CaseChange =
  { changed: true; after: FollowUpCase } | { changed: false; now: FollowUpCase | undefined };

const OFF_THE_QUEUE = [INDEX.outbox.pk, INDEX.outbox.sk];

/** Appends `:note` to the notes, in the caller's values (with `:empty`). */
const APPEND_NOTE = 'notes = list_append(if_not_exists(notes, :empty), :note)';

/** A note may be added while the customer is not erased (a note could name them again) and the list is not full. */
const NOTE_ALLOWED =
  'attribute_not_exists(erasedAt) AND (attribute_not_exists(notes) OR size(notes) < :maxNotes)';

export class CaseStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Opens a case once per invitation: a redelivered request gets the case that exists. The case
   * expires with its invitation (`expireAt`, epoch seconds).
   */
  async open(
    followUp: FollowUpCase,
    expireAt: number,
  ): Promise<{ created: boolean; case: FollowUpCase }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...followUp,
            ...caseKey(followUp.invitationId, followUp.openedAt),
            // Only an open case waits for its deadline.
            ...(followUp.status === 'open'
              ? deadlineKeys(followUp.invitationId, followUp.dueBy)
              : {}),
            [TTL_ATTRIBUTE]: expireAt,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEY.pk },
        }),
      );
      return { created: true, case: followUp };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(followUp.invitationId, followUp.openedAt);
      if (!existing) throw error;
      return { created: false, case: existing };
    }
  }

  async get(invitationId: string, openedAt: string): Promise<FollowUpCase | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: caseKey(invitationId, openedAt),
        ConsistentRead: true,
      }),
    );
    return Item ? caseFromItem(Item) : undefined;
  }

  /**
   * Scrubs a case of its customer (erasure): the id becomes ERASED_CUSTOMER_ID and the owners'
   * notes (which may quote or name the customer) go; the status and times stay, so the follow-up
   * measures do not change. An open case leaves the deadline queue: there is nobody to contact.
   * Once only: false when there is no such case or it was already erased.
   */
  async erase(invitationId: string, openedAt: string, at: Date): Promise<boolean> {
    const outcome = await updateItem(this.doc, this.tableName, caseKey(invitationId, openedAt), {
      set: { customerId: ERASED_CUSTOMER_ID, erasedAt: at.toISOString(), notes: [] },
      remove: OFF_THE_QUEUE,
      condition: 'attribute_exists(#pk) AND attribute_not_exists(erasedAt)',
      names: { '#pk': KEY.pk },
    });
    return outcome.updated;
  }

  /** Notes that the owner's email went out (a redelivery then sends none). */
  async markNotified(followUp: FollowUpCase, now: Date): Promise<void> {
    const outcome = await updateItem(this.doc, this.tableName, this.keyOf(followUp), {
      setExpressions: ['ownerNotifiedAt = if_not_exists(ownerNotifiedAt, :now)'],
      condition: 'attribute_exists(#pk)',
      names: { '#pk': KEY.pk },
      values: { ':now': now.toISOString() },
    });
    if (!outcome.updated) throw new StateConflictError('case', followUp.invitationId, 'stored');
  }

  /**
   * Moves a case to `to`, if its status still allows it (a lost race or a replay changes nothing).
   * Leaving `open` takes it off the deadline queue: a contacted case has met its deadline.
   */
  async transition(
    followUp: FollowUpCase,
    to: CaseStatus,
    by: string,
    now: Date,
    extra: { rootCause?: string; note?: string } = {},
  ): Promise<CaseChange> {
    const from = statusesThatReach(to);
    const at = now.toISOString();
    const values: Record<string, unknown> = {
      ':step': [{ to, at, by }],
      ':empty': [],
      ':at': at,
      ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
    };
    const setExpressions = [
      '#transitions = list_append(if_not_exists(#transitions, :empty), :step)',
      to === 'contacted' ? 'firstContactAt = if_not_exists(firstContactAt, :at)' : 'closedAt = :at',
    ];
    if (extra.note) {
      setExpressions.push(APPEND_NOTE);
      values[':note'] = [{ at, by, text: extra.note }];
      values[':maxNotes'] = MAX_CASE_NOTES;
    }
    return this.update(followUp, {
      set: { status: to, ...(extra.rootCause ? { rootCause: extra.rootCause } : {}) },
      setExpressions,
      remove: OFF_THE_QUEUE,
      condition: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})${
        extra.note ? ` AND ${NOTE_ALLOWED}` : ''
      }`,
      names: { '#status': 'status', '#transitions': 'transitions' },
      values,
    });
  }

  /** Adds a note without changing the status (at most MAX_CASE_NOTES). */
  async addNote(followUp: FollowUpCase, by: string, text: string, now: Date): Promise<CaseChange> {
    return this.update(followUp, {
      setExpressions: [APPEND_NOTE],
      condition: `attribute_exists(#pk) AND ${NOTE_ALLOWED}`,
      names: { '#pk': KEY.pk },
      values: {
        ':empty': [],
        ':note': [{ at: now.toISOString(), by, text }],
        ':maxNotes': MAX_CASE_NOTES,
      },
    });
  }

  /**
   * Marks an open case overdue, once; it waits again for `escalateAt` when there is someone to
   * escalate to, and leaves the deadline queue otherwise.
   */
  async markOverdue(followUp: FollowUpCase, now: Date, escalateAt?: string): Promise<CaseChange> {
    return this.update(followUp, {
      set: {
        overdueAt: now.toISOString(),
        ...(escalateAt ? deadlineKeys(followUp.invitationId, escalateAt) : {}),
      },
      ...(escalateAt ? {} : { remove: OFF_THE_QUEUE }),
      // An erased customer's case goes overdue no more (it left the queue): no event names them.
      condition:
        '#status = :open AND attribute_not_exists(overdueAt) AND attribute_not_exists(erasedAt)',
      names: { '#status': 'status' },
      values: { ':open': 'open' },
    });
  }

  /** Marks an open, overdue case escalated to `to`, once, and takes it off the deadline queue. */
  async markEscalated(followUp: FollowUpCase, to: string, now: Date): Promise<CaseChange> {
    return this.update(followUp, {
      set: { escalatedAt: now.toISOString(), escalatedTo: to },
      remove: OFF_THE_QUEUE,
      condition:
        '#status = :open AND attribute_exists(overdueAt) AND attribute_not_exists(escalatedAt) AND attribute_not_exists(erasedAt)',
      names: { '#status': 'status' },
      values: { ':open': 'open' },
    });
  }

  /** Takes a case off the deadline queue (it closed, or its deadline passed with nothing to do). */
  async leaveQueue(followUp: FollowUpCase): Promise<void> {
    const outcome = await updateItem(this.doc, this.tableName, this.keyOf(followUp), {
      remove: OFF_THE_QUEUE,
      condition: 'attribute_exists(#pk)',
      names: { '#pk': KEY.pk },
    });
    if (!outcome.updated) throw new StateConflictError('case', followUp.invitationId, 'stored');
  }

  /** Cases whose next deadline has passed at `now`, every shard. */
  async due(now: Date, limit = 100): Promise<FollowUpCase[]> {
    const keys = (
      await Promise.all(
        Array.from({ length: SHARDS }, async (_, shard) => {
          const { Items = [] } = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: INDEX.outbox.name,
              KeyConditionExpression: '#pk = :pk AND #sk <= :until',
              ExpressionAttributeNames: { '#pk': INDEX.outbox.pk, '#sk': INDEX.outbox.sk },
              ExpressionAttributeValues: {
                ':pk': `${CASE_QUEUE}#${shard}`,
                ':until': `${now.toISOString()}#\uffff`,
              },
              Limit: limit,
            }),
          );
          return Items.map((item): Record<string, unknown> => ({
            [KEY.pk]: item[KEY.pk] as unknown,
            [KEY.sk]: item[KEY.sk] as unknown,
          }));
        }),
      )
    ).flat();
    return this.batchGet(keys);
  }

  /** Every case opened in the months from `from` to `to` (instants or days), newest month last. */
  async opened(from: string, to: string): Promise<FollowUpCase[]> {
    const months = await Promise.all(
      monthsBetween(from, to).map(async (month) => {
        const cases: FollowUpCase[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :case)',
              ExpressionAttributeNames: { '#pk': KEY.pk, '#sk': KEY.sk },
              ExpressionAttributeValues: { ':pk': `CASES#${month}`, ':case': 'CASE#' },
              ExclusiveStartKey: start,
            }),
          );
          cases.push(...casesOf(page.Items ?? []));
          start = page.LastEvaluatedKey;
        } while (start);
        return cases;
      }),
    );
    return months.flat().filter((c) => c.openedAt.slice(0, 10) >= from.slice(0, 10));
  }

  private async batchGet(keys: Record<string, unknown>[]): Promise<FollowUpCase[]> {
    return casesOf(
      await batchGetAll(this.doc, this.tableName, keys, { consistent: true, what: 'cases' }),
    );
  }

  private keyOf(followUp: FollowUpCase) {
    return caseKey(followUp.invitationId, followUp.openedAt);
  }

  private async update(followUp: FollowUpCase, change: Change): Promise<CaseChange> {
    const outcome = await updateItem(this.doc, this.tableName, this.keyOf(followUp), change, {
      returnNew: true,
    });
    if (outcome.updated) return { changed: true, after: caseFromItem(outcome.item!) };
    return { changed: false, now: outcome.current ? caseFromItem(outcome.current) : undefined };
  }
}
