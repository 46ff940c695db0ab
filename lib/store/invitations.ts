/**
 * Invitation items: keys built here and only here, and every access pattern the flows use.
 *
 * Item: pk `INV#<invitationId>`, sk `INVITATION`, plus index keys derived from its state:
 * - outbox (sparse): `DUE#<shard>` / `<sendAt>#<id>` while scheduled; removed when claimed.
 * - byDay: `<UTC date>#<shard>` / `<sendAt or decidedAt>#<id>`.
 * - answersByDay (sparse): `<UTC date>#<shard>` / `<answeredAt>#<id>` once answered.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ERASED_CUSTOMER_ID, Invitation } from '../contracts/invitation.js';
import { utcDatesBetween } from '../domain/time.js';
import { batchGetAll, INDEX, KEY, SHARDS, shardOf, TTL_ATTRIBUTE } from './table.js';
import { decodeCountedAnswers, type QuestionAnswers } from '../domain/questionnaire.js';

const ENTITY_SK = 'INVITATION';

/** Dates the drill-down reads at once (each in its shards), newest first. */
const DATES_AT_ONCE = 4;

export function invitationKey(invitationId: string) {
  return { [KEY.pk]: `INV#${invitationId}`, [KEY.sk]: ENTITY_SK };
}

/**
 * The work queues an invitation can wait in, all in the sparse outbox index, keyed by when the
 * work falls due: DUE (send at sendAt), LEASE (being sent; abandoned after leaseUntil), REMIND
 * (a reminder at remindAt), EXPIRE (closes at expiresAt). An item is in at most one.
 */
export type WorkQueue = 'DUE' | 'LEASE' | 'REMIND' | 'EXPIRE';

function queueKeys(queue: WorkQueue, invitationId: string, at: string) {
  return {
    [INDEX.outbox.pk]: `${queue}#${shardOf(invitationId)}`,
    [INDEX.outbox.sk]: `${at}#${invitationId}`,
  };
}

const OUT_OF_QUEUES = [INDEX.outbox.pk, INDEX.outbox.sk];

/**
 * The day indexes' sort key: `<time>#<invitationId>`, then `#<journeyId>` when the interaction names
 * a journey, then (answers index only) `#<counted answers>` when the questionnaire was answered.
 * Both ride in the key (always projected) rather than in the projection: DynamoDB cannot change an
 * existing index's projection, so a deployed stack takes them with a plain `cdk deploy`, and the
 * rollup counts drivers from the index alone (no extra read, no extra write). Journey ids are tokens
 * (no `#`); the answers' encoding (questionnaire.ts) has no `#` either.
 */
function daySortKey(
  at: string,
  invitationId: string,
  journeyId: string | undefined,
  counted = '',
): string {
  const key = `${at}#${invitationId}`;
  if (counted) return `${key}#${journeyId ?? ''}#${counted}`;
  return journeyId === undefined ? key : `${key}#${journeyId}`;
}

/** The journey id a day index entry carries in its sort key (undefined for entries without one). */
function journeyOfDaySortKey(sortKey: unknown): string | undefined {
  return typeof sortKey === 'string' ? sortKey.split('#')[2] || undefined : undefined;
}

/** The questionnaire answers an answers index entry carries in its sort key (see daySortKey). */
function countedOfDaySortKey(sortKey: unknown): Record<string, string[]> | undefined {
  const encoded = typeof sortKey === 'string' ? sortKey.split('#')[3] : undefined;
  return encoded ? decodeCountedAnswers(encoded) : undefined;
}

function dayKeys(invitationId: string, at: string, journeyId: string | undefined) {
  return {
    [INDEX.byDay.pk]: `${at.slice(0, 10)}#${shardOf(invitationId)}`,
    [INDEX.byDay.sk]: daySortKey(at, invitationId, journeyId),
  };
}

function customerKeys(customerId: string, invitationId: string, occurredAt: string) {
  return {
    [INDEX.byCustomer.pk]: `CUST#${customerId}`,
    [INDEX.byCustomer.sk]: `${occurredAt}#${invitationId}`,
  };
}

function answerDayKeys(
  invitationId: string,
  answeredAt: string,
  journeyId: string | undefined,
  counted?: string,
) {
  return {
    [INDEX.answersByDay.pk]: `${answeredAt.slice(0, 10)}#${shardOf(invitationId)}`,
    [INDEX.answersByDay.sk]: daySortKey(answeredAt, invitationId, journeyId, counted),
  };
}

const INTERNAL_ATTRIBUTES = new Set<string>([
  KEY.pk,
  KEY.sk,
  TTL_ATTRIBUTE,
  ...Object.values(INDEX).flatMap((index) => [index.pk, index.sk]),
]);

function fromItem(item: Record<string, unknown>): Invitation {
  const fields = Object.fromEntries(
    Object.entries(item).filter(([name]) => !INTERNAL_ATTRIBUTES.has(name)),
  );
  if (typeof item.attributesJson === 'string') fields.attributes = JSON.parse(item.attributesJson);
  return Invitation.parse(fields);
}

/**
 * The producer's free-form attributes are kept as one JSON string: DynamoDB could not store every
 * JSON value as a map (numbers beyond its range or JavaScript's safe integers, empty keys).
 */
function attributesAttribute(attributes: Invitation['attributes']) {
  return attributes === undefined
    ? {}
    : { attributes: undefined, attributesJson: JSON.stringify(attributes) };
}

/** A slim row read from a day index: only the attributes the rollup needs. */
export type InvitationDayRow = Pick<
  Invitation,
  | 'invitationId'
  | 'status'
  | 'reason'
  | 'touchpoint'
  | 'channel'
  | 'segment'
  | 'journeyId'
  | 'journeyStep'
  | 'metric'
  | 'sendAt'
  | 'decidedAt'
  | 'sentAt'
  | 'deliveredAt'
  | 'bouncedAt'
  | 'complainedAt'
  | 'answeredAt'
  | 'score'
> & {
  /** Answers index only: the questionnaire's counted answers, option ids by question id. */
  counted?: Record<string, string[]>;
};

/** The condition that the answers are still those read (their revision), its value added. */
function revisionCondition(current: Invitation, values: Record<string, unknown>): string {
  if (current.answersRevision === undefined) return 'attribute_not_exists(answersRevision)';
  values[':revision'] = current.answersRevision;
  return 'answersRevision = :revision';
}

/**
 * Answers recorded so far. Items from before `answerCount` kept every answer, the current one
 * included, in `history`.
 */
export function answerCountOf(invitation: Invitation): number {
  if (invitation.answerCount !== undefined) return invitation.answerCount;
  if (invitation.status !== 'answered') return 0;
  return Math.max(1, invitation.history?.length ?? 0);
}

export type CreateResult = { created: true } | { created: false; existing: Invitation };

export class InvitationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes a new decision exactly once per interaction; a redelivery gets the first one back. */
  async create(invitation: Invitation, retentionDays: number): Promise<CreateResult> {
    const expireAt = Math.floor(Date.parse(invitation.decidedAt) / 1000) + retentionDays * 86_400;
    const item = {
      ...invitation,
      ...attributesAttribute(invitation.attributes),
      [TTL_ATTRIBUTE]: expireAt,
      ...invitationKey(invitation.invitationId),
      ...dayKeys(
        invitation.invitationId,
        invitation.sendAt ?? invitation.decidedAt,
        invitation.journeyId,
      ),
      ...customerKeys(invitation.customerId, invitation.invitationId, invitation.occurredAt),
      ...(invitation.status === 'scheduled' && invitation.sendAt
        ? queueKeys('DUE', invitation.invitationId, invitation.sendAt)
        : {}),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': KEY.pk },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item
        ? fromItem(unmarshall(error.Item))
        : await this.get(invitation.invitationId);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  /**
   * One invitation. `consistent: false` halves the read's price where a read a moment stale is
   * harmless (the state changes it could miss are guarded by conditional writes).
   */
  async get(
    invitationId: string,
    { consistent = true }: { consistent?: boolean } = {},
  ): Promise<Invitation | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: invitationKey(invitationId),
        ConsistentRead: consistent,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }

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
    return this.conditionalUpdate(invitationId, {
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
    const updated = await this.conditionalUpdate(invitationId, {
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
    const updated = await this.conditionalUpdate(invitationId, {
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
   * is the caller's fresh read of it, when it has one.
   */
  async claimReminder(
    invitationId: string,
    now: Date,
    current?: Invitation,
  ): Promise<Invitation | undefined> {
    const shardKey = `REMIND#${shardOf(invitationId)}`;
    current ??= await this.get(invitationId);
    if (!current?.expiresAt) return undefined;
    return this.conditionalUpdate(invitationId, {
      set: {
        reminderAt: now.toISOString(),
        ...queueKeys('EXPIRE', invitationId, current.expiresAt),
      },
      condition: '#opk = :queue AND #status IN (:sent, :delivered)',
      values: { ':queue': shardKey, ':sent': 'sent', ':delivered': 'delivered' },
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
    await this.conditionalUpdate(invitationId, {
      set: next,
      condition: '#opk = :queue AND #status IN (:sent, :delivered)',
      values: {
        ':queue': `REMIND#${shardOf(invitationId)}`,
        ':sent': 'sent',
        ':delivered': 'delivered',
      },
      names: { '#opk': INDEX.outbox.pk },
    });
  }

  async markReminderSent(invitationId: string, messageId: string) {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: invitationKey(invitationId),
        UpdateExpression: 'SET reminderMessageId = :id',
        ExpressionAttributeValues: { ':id': messageId },
      }),
    );
  }

  /** Closes an unanswered survey whose link has expired (sent/delivered → expired). */
  async expire(invitationId: string, now: Date): Promise<boolean> {
    const updated = await this.conditionalUpdate(invitationId, {
      set: { status: 'expired' },
      remove: OUT_OF_QUEUES,
      condition: '#status IN (:sent, :delivered) AND expiresAt <= :now',
      values: { ':sent': 'sent', ':delivered': 'delivered', ':now': now.toISOString() },
    });
    if (updated) return true;
    // Answered or bounced meanwhile: it only has to leave the queue.
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invitationKey(invitationId),
          UpdateExpression: 'REMOVE #opk, #osk',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            '#opk': INDEX.outbox.pk,
            '#osk': INDEX.outbox.sk,
            '#pk': KEY.pk,
          },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
    return false;
  }

  /** An update under a condition; returns the new item, or undefined when the condition failed. */
  private async conditionalUpdate(
    invitationId: string,
    change: {
      set: Record<string, unknown>;
      remove?: string[];
      condition: string;
      values: Record<string, unknown>;
      names?: Record<string, string>;
    },
  ): Promise<Invitation | undefined> {
    const names: Record<string, string> = { '#status': 'status', ...change.names };
    const values: Record<string, unknown> = { ...change.values };
    const sets = Object.entries(change.set).map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const removes = (change.remove ?? []).map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invitationKey(invitationId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: change.condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? fromItem(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Records the customer's answer in one conditional write, against the state the caller read:
   * only a sent, unexpired survey, and only if no other answer was recorded since (`answerCount`
   * unchanged), so of concurrent POSTs one writes and the others see its result. The answer it
   * replaces (if any) moves to `history`; the follow-up flags are set in the same write, so a
   * request (or its withdrawal) is recorded once. Returns the stored item when the condition
   * failed, so the caller decides again from what is there now.
   */
  async recordAnswer(
    current: Invitation,
    answer: {
      score: number;
      comment?: string | undefined;
      followUp?: boolean | undefined;
      /** The questionnaire's answers, and their encoding for the answers index (daySortKey). */
      answers?: QuestionAnswers | undefined;
      counted?: string | undefined;
    },
    answeredAt: Date,
    followUp: { request: boolean; withdraw: boolean },
  ): Promise<{ recorded: true } | { recorded: false; now: Invitation | undefined }> {
    const at = answeredAt.toISOString();
    const count = answerCountOf(current);
    const keys = answerDayKeys(current.invitationId, at, current.journeyId, answer.counted);
    const names: Record<string, string> = {
      '#status': 'status',
      '#apk': INDEX.answersByDay.pk,
      '#ask': INDEX.answersByDay.sk,
      '#opk': INDEX.outbox.pk,
      '#osk': INDEX.outbox.sk,
    };
    const values: Record<string, unknown> = {
      ':answered': 'answered',
      ':sent': 'sent',
      ':delivered': 'delivered',
      ':score': answer.score,
      ':at': at,
      ':apk': keys[INDEX.answersByDay.pk],
      ':ask': keys[INDEX.answersByDay.sk],
      ':next': count + 1,
    };
    const sets = [
      '#status = :answered',
      'score = :score',
      'answeredAt = :at',
      '#apk = :apk',
      '#ask = :ask',
      'answerCount = :next',
    ];
    // answered: it waits for no reminder and no expiry any more
    const removes = ['#opk', '#osk'];
    // Items from before answerCount already hold the current answer in their history.
    const legacyHistory = current.answerCount === undefined && Boolean(current.history?.length);
    if (
      current.status === 'answered' &&
      current.score !== undefined &&
      current.answeredAt &&
      !legacyHistory
    ) {
      sets.push('history = list_append(if_not_exists(history, :empty), :previous)');
      values[':empty'] = [];
      values[':previous'] = [
        {
          score: current.score,
          answeredAt: current.answeredAt,
          ...(current.comment ? { comment: current.comment } : {}),
          ...(current.answers && Object.keys(current.answers).length
            ? { answers: current.answers }
            : {}),
        },
      ];
    }
    const answers =
      answer.answers && Object.keys(answer.answers).length ? answer.answers : undefined;
    for (const [name, value] of [
      ['comment', answer.comment],
      ['followUp', answer.followUp],
      ['answers', answers],
    ] as const) {
      names[`#${name}`] = name;
      if (value === undefined) removes.push(`#${name}`);
      else {
        sets.push(`#${name} = :${name}`);
        values[`:${name}`] = value;
      }
    }
    if (followUp.request) sets.push('followUpRequestedAt = :at');
    if (followUp.withdraw) sets.push('followUpWithdrawnAt = :at');
    sets.push('answersRevision = :nextRevision');
    values[':nextRevision'] = (current.answersRevision ?? 0) + 1;
    let condition = `#status IN (:sent, :delivered, :answered) AND expiresAt > :at AND ${revisionCondition(current, values)} AND `;
    if (current.answerCount === undefined) condition += 'attribute_not_exists(answerCount)';
    else {
      condition += 'answerCount = :count';
      values[':count'] = current.answerCount;
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invitationKey(current.invitationId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { recorded: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { recorded: false, now: error.Item ? fromItem(unmarshall(error.Item)) : undefined };
    }
  }

  /**
   * Records SES feedback: the event's time (first one wins, so redeliveries change nothing) and,
   * where given, a status change that only applies while the survey is in one of `from`. One write
   * when the status moves (the usual case); when it may not, a second write records the time
   * alone. Returns false when there is no such invitation (nothing is written).
   */
  async recordFeedback(
    invitationId: string,
    field: 'deliveredAt' | 'bouncedAt' | 'complainedAt',
    at: Date,
    status?: { to: Invitation['status']; from: Invitation['status'][] },
  ): Promise<boolean> {
    const names = { '#field': field, '#pk': KEY.pk };
    const values = { ':at': at.toISOString() };
    if (status) {
      const from = Object.fromEntries(status.from.map((value, i) => [`:from${i}`, value]));
      // A bounced survey waits for no reminder and no expiry.
      const removes = status.to === 'bounced' ? ' REMOVE #opk, #osk' : '';
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: invitationKey(invitationId),
            UpdateExpression: `SET #field = if_not_exists(#field, :at), #status = :to${removes}`,
            ConditionExpression: `attribute_exists(#pk) AND #status IN (${Object.keys(from).join(', ')})`,
            ExpressionAttributeNames: {
              ...names,
              '#status': 'status',
              ...(removes ? { '#opk': INDEX.outbox.pk, '#osk': INDEX.outbox.sk } : {}),
            },
            ExpressionAttributeValues: { ...values, ...from, ':to': status.to },
          }),
        );
        return true;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invitationKey(invitationId),
          UpdateExpression: 'SET #field = if_not_exists(#field, :at)',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * A customer's invitation ids from the byCustomer index (keys only), every page up to `limit`,
   * newest interaction first.
   */
  async idsOfCustomer(customerId: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.byCustomer.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': INDEX.byCustomer.pk },
          ExpressionAttributeValues: { ':pk': `CUST#${customerId}` },
          ScanIndexForward: false,
          ...(Number.isFinite(limit) ? { Limit: limit - ids.length } : {}),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item[KEY.pk]).slice('INV#'.length));
      startKey = page.LastEvaluatedKey;
    } while (startKey && ids.length < limit);
    return ids;
  }

  /**
   * Scrubs an invitation of its customer (erasure): the id becomes ERASED_CUSTOMER_ID, and the
   * address, name, comments, free-text answers, interaction attributes, the producer's interaction
   * id and the payload's hash go; what the rollups count (status, touchpoint, times, score, option
   * answers) stays, so the numbers do not change. It leaves the customer's timeline (the
   * byCustomer index); a survey not yet sent is cancelled and leaves the outbox (one being sent
   * keeps its lease, a sent one its reminder and expiry: without an address no reminder goes out).
   * `addressRef` (the keyed hash of the address) stays, so a late unsubscribe or complaint still
   * reaches the person. Conditional on the status and answers' revision read: 'changed' when
   * either moved meanwhile (read again and retry), 'already' when it was erased before.
   */
  async erase(
    invitation: Invitation,
    keep: Pick<Invitation, 'answers' | 'history'>,
    at: Date,
    addressRef: string | undefined,
  ): Promise<'erased' | 'already' | 'changed'> {
    const sets = [
      'customerId = :erased',
      'interactionId = :erased',
      'payloadHash = :erased',
      'erasedAt = :at',
      'answersRevision = if_not_exists(answersRevision, :zero) + :one',
    ];
    const values: Record<string, unknown> = {
      ':erased': ERASED_CUSTOMER_ID,
      ':at': at.toISOString(),
      ':zero': 0,
      ':one': 1,
      ':read': invitation.status,
    };
    const removes = [
      'email',
      '#name',
      '#comment',
      'attributes',
      'attributesJson',
      'messageId',
      'reminderMessageId',
      '#cpk',
      '#csk',
    ];
    const names: Record<string, string> = {
      '#pk': KEY.pk,
      '#name': 'name',
      '#comment': 'comment',
      '#status': 'status',
      '#cpk': INDEX.byCustomer.pk,
      '#csk': INDEX.byCustomer.sk,
    };
    if (addressRef) {
      sets.push('addressRef = :ref');
      values[':ref'] = addressRef;
    }
    for (const field of ['answers', 'history'] as const) {
      if (keep[field] === undefined) removes.push(field);
      else {
        sets.push(`${field} = :${field}`);
        values[`:${field}`] = keep[field];
      }
    }
    if (invitation.status === 'scheduled') {
      sets.push('#status = :cancelled', 'reason = :reason');
      values[':cancelled'] = 'cancelled';
      values[':reason'] = 'erased';
      removes.push('#opk', '#osk');
      names['#opk'] = INDEX.outbox.pk;
      names['#osk'] = INDEX.outbox.sk;
    }
    const revision =
      invitation.answersRevision === undefined
        ? 'attribute_not_exists(answersRevision)'
        : 'answersRevision = :revision';
    if (invitation.answersRevision !== undefined) values[':revision'] = invitation.answersRevision;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invitationKey(invitation.invitationId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: `attribute_exists(#pk) AND attribute_not_exists(erasedAt) AND #status = :read AND ${revision}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'erased';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return error.Item && !error.Item.erasedAt ? 'changed' : 'already';
    }
  }

  /** A customer's invitations, newest interaction first (the timeline's source). */
  async ofCustomer(customerId: string, limit: number): Promise<Invitation[]> {
    const ids = await this.idsOfCustomer(customerId, limit);
    const found = new Map(
      (
        await batchGetAll(this.doc, this.tableName, ids.map(invitationKey), {
          what: 'invitations of the timeline',
        })
      ).map((item) => {
        const invitation = fromItem(item);
        return [invitation.invitationId, invitation] as const;
      }),
    );
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /**
   * Saves a deep-dive section's answers into an answered survey: the merged answers, and their
   * counted encoding in the answers index's key (same day, same time). Conditional on the answers
   * read (their revision) and an open link, so neither a section in another tab nor a changed
   * score is overwritten with what was read before; false when it would have been.
   */
  async recordSection(
    current: Invitation,
    answers: QuestionAnswers,
    counted: string,
    at: Date,
  ): Promise<boolean> {
    const keys = answerDayKeys(
      current.invitationId,
      current.answeredAt!,
      current.journeyId,
      counted,
    );
    const values: Record<string, unknown> = { ':answered': 'answered', ':at': at.toISOString() };
    const updated = await this.conditionalUpdate(current.invitationId, {
      set: {
        answers,
        [INDEX.answersByDay.sk]: keys[INDEX.answersByDay.sk],
        answersRevision: (current.answersRevision ?? 0) + 1,
      },
      condition: `#status = :answered AND expiresAt > :at AND ${revisionCondition(current, values)}`,
      values,
    });
    return updated !== undefined;
  }

  /** Read units consumed by the day-index reads, as DynamoDB reports them (for benchmarks). */
  readUnits = 0;

  /**
   * Hands the slim rows of invitations (by send/decision time) or answers (by answer time) in
   * [start, end) to `onPage`, page by page: one paginated Query per UTC date and shard, the
   * partitions read in parallel; never a Scan. Memory stays at one page per partition in flight.
   */
  async forEachPage(
    kind: 'invitations' | 'answers',
    start: Date,
    end: Date,
    onPage: (rows: InvitationDayRow[]) => void,
  ): Promise<void> {
    const index = kind === 'invitations' ? INDEX.byDay : INDEX.answersByDay;
    const from = start.toISOString();
    const to = end.toISOString(); // exclusive: a key at `end` is `<end>#id`, which sorts after it
    const partitions = utcDatesBetween(start, end).flatMap((date) =>
      Array.from({ length: SHARDS }, (_, shard) => `${date}#${shard}`),
    );
    await Promise.all(
      partitions.map(async (pk) => {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: index.name,
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
              ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
              ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
              ExclusiveStartKey: startKey,
              ReturnConsumedCapacity: 'TOTAL',
            }),
          );
          this.readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
          onPage(
            (page.Items ?? []).map((item) => ({
              ...(item as InvitationDayRow),
              journeyId: journeyOfDaySortKey(item[index.sk]),
              counted: countedOfDaySortKey(item[index.sk]),
            })),
          );
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }),
    );
  }

  /**
   * A page of the answers given in [start, end) that `keep` accepts, newest first: the dashboard's
   * drill-down. Reads the UTC dates from the newest back (each date's shards in parallel, each
   * shard newest first) and stops as soon as the page is full, so a page costs the reads of the
   * days it spans, not of the whole period. `before` is the previous page's `next`.
   */
  async answersNewestFirst(
    start: Date,
    end: Date,
    keep: (row: InvitationDayRow) => boolean,
    limit: number,
    before?: string,
  ): Promise<{ rows: InvitationDayRow[]; next?: string }> {
    const index = INDEX.answersByDay;
    const from = start.toISOString();
    const to = before && before < end.toISOString() ? before : end.toISOString();
    const found: { sortKey: string; row: InvitationDayRow }[] = [];
    const dates = utcDatesBetween(start, new Date(Date.parse(to.slice(0, 24)) + 1)).reverse();
    let datesRead = 0;
    // A few dates at a time: a page needs few reads, and a round trip per date would add up.
    for (let batch = 0; batch < dates.length; batch += DATES_AT_ONCE) {
      const batchDates = dates.slice(batch, batch + DATES_AT_ONCE);
      datesRead += batchDates.length;
      const perShard = await Promise.all(
        batchDates
          .flatMap((date) => Array.from({ length: SHARDS }, (_, shard) => ({ date, shard })))
          .map(async ({ date, shard }) => {
            const rows: { sortKey: string; row: InvitationDayRow }[] = [];
            let startKey: Record<string, unknown> | undefined;
            do {
              const page = await this.doc.send(
                new QueryCommand({
                  TableName: this.tableName,
                  IndexName: index.name,
                  KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
                  ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
                  ExpressionAttributeValues: {
                    ':pk': `${date}#${shard}`,
                    ':from': from,
                    ':to': to,
                  },
                  ScanIndexForward: false,
                  ExclusiveStartKey: startKey,
                }),
              );
              for (const item of page.Items ?? []) {
                const sortKey = String(item[index.sk]);
                if (sortKey === before) continue; // the cursor itself was on the previous page
                const row = {
                  ...(item as InvitationDayRow),
                  journeyId: journeyOfDaySortKey(sortKey),
                  counted: countedOfDaySortKey(sortKey),
                };
                if (keep(row)) rows.push({ sortKey, row });
              }
              startKey = page.LastEvaluatedKey;
            } while (startKey && rows.length < limit);
            return rows;
          }),
      );
      found.push(...perShard.flat());
      if (found.length >= limit) break;
    }
    found.sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
    const page = found.slice(0, limit);
    // More may follow when this page left rows over, or older dates unread.
    const more = found.length > limit || (page.length === limit && datesRead < dates.length);
    return { rows: page.map(({ row }) => row), ...(more ? { next: page.at(-1)!.sortKey } : {}) };
  }

  /** Moves an invitation on from `from`; an invitation in another state is a bug, so it throws. */
  private async transition(
    invitationId: string,
    from: Invitation['status'],
    change: { set: Record<string, unknown>; remove?: string[] },
  ) {
    const updated = await this.conditionalUpdate(invitationId, {
      ...change,
      condition: '#status = :from',
      values: { ':from': from },
    });
    if (!updated) throw new Error(`invitation ${invitationId} is no longer ${from}`);
  }
}
