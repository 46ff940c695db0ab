/**
 * Follow-up case items: one per invitation whose answer asked for a follow-up.
 *
 * Item: pk `CASES#<YYYY-MM of the request>`, sk `CASE#<invitationId>`: a month of cases is one
 * Query (the owner's queue, the measures, the CLI), as rollup rows are. While a deadline is ahead
 * of an open case (its due-by, then its escalation), the case also waits in the sparse outbox
 * index under `CASE#<shard>` / `<deadline>#<invitationId>`, so the sweep reads only what is due.
 * Every change is one conditional write on the status it expects.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  CASE_TRANSITIONS,
  FollowUpCase,
  MAX_CASE_NOTES,
  type CaseStatus,
} from '../contracts/follow-up-case.js';
import { batchGetAll, INDEX, KEY, SHARDS, shardOf, TTL_ATTRIBUTE } from './table.js';
import { ERASED_CUSTOMER_ID } from '../contracts/invitation.js';
import { log } from '../adapters/log.js';
import { monthsBetween } from '../domain/time.js';

const QUEUE = 'CASE';

export function caseKey(invitationId: string, openedAt: string) {
  return { [KEY.pk]: `CASES#${openedAt.slice(0, 7)}`, [KEY.sk]: `CASE#${invitationId}` };
}

function deadlineKeys(invitationId: string, deadline: string) {
  return {
    [INDEX.outbox.pk]: `${QUEUE}#${shardOf(invitationId)}`,
    [INDEX.outbox.sk]: `${deadline}#${invitationId}`,
  };
}

const INTERNAL = new Set<string>([KEY.pk, KEY.sk, TTL_ATTRIBUTE, INDEX.outbox.pk, INDEX.outbox.sk]);

function fromItem(item: Record<string, unknown>): FollowUpCase {
  return FollowUpCase.parse(
    Object.fromEntries(Object.entries(item).filter(([name]) => !INTERNAL.has(name))),
  );
}

/**
 * Every case of a page that parses: one item that does not (written by hand, or by a later version)
 * is logged by key and left out, so it cannot take the queue, the measures and the sweep down.
 */
function casesOf(items: Record<string, unknown>[]): FollowUpCase[] {
  return items.flatMap((item) => {
    try {
      return [fromItem(item)];
    } catch {
      log.warn('cases.unreadable-item', { pk: String(item[KEY.pk]), sk: String(item[KEY.sk]) });
      return [];
    }
  });
}

export type CaseChange =
  { changed: true; after: FollowUpCase } | { changed: false; now: FollowUpCase | undefined };

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
    return Item ? fromItem(Item) : undefined;
  }

  /**
   * Scrubs a case of its customer (erasure): the id becomes ERASED_CUSTOMER_ID and the owners'
   * notes (which may quote or name the customer) go; the status and times stay, so the follow-up
   * measures do not change. An open case leaves the deadline queue: there is nobody to contact.
   * Once only: false when there is no such case or it was already erased.
   */
  async erase(invitationId: string, openedAt: string, at: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: caseKey(invitationId, openedAt),
          UpdateExpression:
            'SET customerId = :erased, erasedAt = :at, notes = :none REMOVE #opk, #osk',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(erasedAt)',
          ExpressionAttributeNames: {
            '#pk': KEY.pk,
            '#opk': INDEX.outbox.pk,
            '#osk': INDEX.outbox.sk,
          },
          ExpressionAttributeValues: {
            ':erased': ERASED_CUSTOMER_ID,
            ':at': at.toISOString(),
            ':none': [],
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Notes that the owner's email went out (a redelivery then sends none). */
  async markNotified(followUp: FollowUpCase, now: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: caseKey(followUp.invitationId, followUp.openedAt),
        UpdateExpression: 'SET ownerNotifiedAt = if_not_exists(ownerNotifiedAt, :now)',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': KEY.pk },
        ExpressionAttributeValues: { ':now': now.toISOString() },
      }),
    );
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
    const names: Record<string, string> = {
      '#status': 'status',
      '#transitions': 'transitions',
      '#opk': INDEX.outbox.pk,
      '#osk': INDEX.outbox.sk,
    };
    const values: Record<string, unknown> = {
      ':to': to,
      ':step': [{ to, at, by }],
      ':empty': [],
      ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
    };
    const sets = [
      '#status = :to',
      '#transitions = list_append(if_not_exists(#transitions, :empty), :step)',
    ];
    if (to === 'contacted') {
      sets.push('firstContactAt = if_not_exists(firstContactAt, :at)');
      values[':at'] = at;
    } else {
      sets.push('closedAt = :at');
      values[':at'] = at;
    }
    if (extra.rootCause) {
      sets.push('rootCause = :rootCause');
      values[':rootCause'] = extra.rootCause;
    }
    if (extra.note) {
      sets.push('notes = list_append(if_not_exists(notes, :empty), :note)');
      values[':note'] = [{ at, by, text: extra.note }];
    }
    return this.update(followUp, {
      UpdateExpression: `SET ${sets.join(', ')} REMOVE #opk, #osk`,
      ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})${
        extra.note
          ? ' AND attribute_not_exists(erasedAt) AND (attribute_not_exists(notes) OR size(notes) < :maxNotes)'
          : ''
      }`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: extra.note ? { ...values, ':maxNotes': MAX_CASE_NOTES } : values,
    });
  }

  /** Adds a note without changing the status (at most MAX_CASE_NOTES). */
  async addNote(followUp: FollowUpCase, by: string, text: string, now: Date): Promise<CaseChange> {
    return this.update(followUp, {
      UpdateExpression: 'SET notes = list_append(if_not_exists(notes, :empty), :note)',
      ConditionExpression:
        // An erased customer's case takes no notes: they could quote or name them again.
        'attribute_exists(#pk) AND attribute_not_exists(erasedAt) AND (attribute_not_exists(notes) OR size(notes) < :maxNotes)',
      ExpressionAttributeNames: { '#pk': KEY.pk },
      ExpressionAttributeValues: {
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
      UpdateExpression: escalateAt
        ? 'SET overdueAt = :now, #opk = :opk, #osk = :osk'
        : 'SET overdueAt = :now REMOVE #opk, #osk',
      // An erased customer's case goes overdue no more (it left the queue): no event names them.
      ConditionExpression:
        '#status = :open AND attribute_not_exists(overdueAt) AND attribute_not_exists(erasedAt)',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#opk': INDEX.outbox.pk,
        '#osk': INDEX.outbox.sk,
      },
      ExpressionAttributeValues: {
        ':now': now.toISOString(),
        ':open': 'open',
        ...(escalateAt
          ? (() => {
              const keys = deadlineKeys(followUp.invitationId, escalateAt);
              return { ':opk': keys[INDEX.outbox.pk], ':osk': keys[INDEX.outbox.sk] };
            })()
          : {}),
      },
    });
  }

  /** Marks an open, overdue case escalated to `to`, once, and takes it off the deadline queue. */
  async markEscalated(followUp: FollowUpCase, to: string, now: Date): Promise<CaseChange> {
    return this.update(followUp, {
      UpdateExpression: 'SET escalatedAt = :now, escalatedTo = :to REMOVE #opk, #osk',
      ConditionExpression:
        '#status = :open AND attribute_exists(overdueAt) AND attribute_not_exists(escalatedAt) AND attribute_not_exists(erasedAt)',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#opk': INDEX.outbox.pk,
        '#osk': INDEX.outbox.sk,
      },
      ExpressionAttributeValues: { ':now': now.toISOString(), ':open': 'open', ':to': to },
    });
  }

  /** Takes a case off the deadline queue (it closed, or its deadline passed with nothing to do). */
  async leaveQueue(followUp: FollowUpCase): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: caseKey(followUp.invitationId, followUp.openedAt),
        UpdateExpression: 'REMOVE #opk, #osk',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: {
          '#pk': KEY.pk,
          '#opk': INDEX.outbox.pk,
          '#osk': INDEX.outbox.sk,
        },
      }),
    );
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
                ':pk': `${QUEUE}#${shard}`,
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

  private async update(
    followUp: FollowUpCase,
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ): Promise<CaseChange> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: caseKey(followUp.invitationId, followUp.openedAt),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...input,
        }),
      );
      return { changed: true, after: fromItem(Attributes!) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { changed: false, now: error.Item ? fromItem(unmarshall(error.Item)) : undefined };
    }
  }
}

/** The statuses a case can move to `to` from. */
function statusesThatReach(to: CaseStatus): CaseStatus[] {
  return (Object.entries(CASE_TRANSITIONS) as [CaseStatus, readonly CaseStatus[]][])
    .filter(([, next]) => next.includes(to))
    .map(([from]) => from);
}
