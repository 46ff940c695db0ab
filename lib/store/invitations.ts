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
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Invitation } from '../contracts/invitation.js';
import { utcDatesBetween } from '../domain/time.js';
import { INDEX, KEY, SHARDS, shardOf, TTL_ATTRIBUTE } from './table.js';

const ENTITY_SK = 'INVITATION';

export function invitationKey(invitationId: string) {
  return { [KEY.pk]: `INV#${invitationId}`, [KEY.sk]: ENTITY_SK };
}

function outboxKeys(invitationId: string, sendAt: string) {
  return {
    [INDEX.outbox.pk]: `DUE#${shardOf(invitationId)}`,
    [INDEX.outbox.sk]: `${sendAt}#${invitationId}`,
  };
}

function dayKeys(invitationId: string, at: string) {
  return {
    [INDEX.byDay.pk]: `${at.slice(0, 10)}#${shardOf(invitationId)}`,
    [INDEX.byDay.sk]: `${at}#${invitationId}`,
  };
}

function customerKeys(customerId: string, invitationId: string, occurredAt: string) {
  return {
    [INDEX.byCustomer.pk]: `CUST#${customerId}`,
    [INDEX.byCustomer.sk]: `${occurredAt}#${invitationId}`,
  };
}

function answerDayKeys(invitationId: string, answeredAt: string) {
  return {
    [INDEX.answersByDay.pk]: `${answeredAt.slice(0, 10)}#${shardOf(invitationId)}`,
    [INDEX.answersByDay.sk]: `${answeredAt}#${invitationId}`,
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
>;

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
      ...dayKeys(invitation.invitationId, invitation.sendAt ?? invitation.decidedAt),
      ...customerKeys(invitation.customerId, invitation.invitationId, invitation.occurredAt),
      ...(invitation.status === 'scheduled' && invitation.sendAt
        ? outboxKeys(invitation.invitationId, invitation.sendAt)
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

  async get(invitationId: string): Promise<Invitation | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: invitationKey(invitationId),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  /** Scheduled invitations whose send time has come, oldest first in each shard. */
  async due(now: Date, limitPerShard: number): Promise<{ invitationId: string; sendAt: string }[]> {
    const upTo = `${now.toISOString()}#\uffff`;
    const perShard = await Promise.all(
      Array.from({ length: SHARDS }, async (_, shard) => {
        const { Items = [] } = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEX.outbox.name,
            KeyConditionExpression: '#pk = :pk AND #sk <= :upTo',
            ExpressionAttributeNames: { '#pk': INDEX.outbox.pk, '#sk': INDEX.outbox.sk },
            ExpressionAttributeValues: { ':pk': `DUE#${shard}`, ':upTo': upTo },
            Limit: limitPerShard,
          }),
        );
        return Items.map((item) => {
          const [sendAt = '', invitationId = ''] = String(item[INDEX.outbox.sk]).split('#');
          return { invitationId, sendAt };
        });
      }),
    );
    return perShard.flat();
  }

  /**
   * Takes a scheduled invitation for sending (scheduled → sending, out of the outbox). Only one
   * caller can win; the others get `undefined`.
   */
  async claim(invitationId: string, leaseUntil: Date): Promise<Invitation | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invitationKey(invitationId),
          UpdateExpression: 'SET #status = :sending, leaseUntil = :lease REMOVE #opk, #osk',
          ConditionExpression: '#status = :scheduled',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#opk': INDEX.outbox.pk,
            '#osk': INDEX.outbox.sk,
          },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':scheduled': 'scheduled',
            ':lease': leaseUntil.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? fromItem(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async markSent(invitationId: string, messageId: string, sentAt: Date, expiresAt: Date) {
    await this.transition(invitationId, 'sending', {
      set: {
        status: 'sent',
        messageId,
        sentAt: sentAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
      },
      remove: ['leaseUntil'],
    });
  }

  /** Puts a claimed invitation back in the outbox (a transient failure: try again later). */
  async release(invitationId: string, sendAt: Date) {
    const at = sendAt.toISOString();
    await this.transition(invitationId, 'sending', {
      set: { status: 'scheduled', sendAt: at, ...outboxKeys(invitationId, at) },
      remove: ['leaseUntil'],
    });
  }

  /** A claimed survey that will not be sent after all: too late, or the customer opted out meanwhile. */
  async markNotSent(invitationId: string, status: 'skipped' | 'cancelled', reason: string) {
    await this.transition(invitationId, 'sending', {
      set: { status, reason },
      remove: ['leaseUntil'],
    });
  }

  async markFailed(invitationId: string, reason: string) {
    await this.transition(invitationId, 'sending', {
      set: { status: 'failed', reason },
      remove: ['leaseUntil'],
    });
  }

  /**
   * Records the customer's answer; the last answer wins and earlier ones are kept in `history`.
   * Only a sent, unexpired survey can be answered; otherwise returns false and writes nothing.
   */
  async recordAnswer(
    invitationId: string,
    answer: { score: number; comment?: string | undefined },
    answeredAt: Date,
  ): Promise<boolean> {
    const at = answeredAt.toISOString();
    const entry = {
      score: answer.score,
      answeredAt: at,
      ...(answer.comment ? { comment: answer.comment } : {}),
    };
    const keys = answerDayKeys(invitationId, at);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invitationKey(invitationId),
          UpdateExpression:
            'SET #status = :answered, score = :score, answeredAt = :at, #apk = :apk, #ask = :ask, ' +
            'history = list_append(if_not_exists(history, :empty), :entry)' +
            (answer.comment ? ', #comment = :comment' : ' REMOVE #comment'),
          ConditionExpression: '#status IN (:sent, :delivered, :answered) AND expiresAt > :at',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#comment': 'comment',
            '#apk': INDEX.answersByDay.pk,
            '#ask': INDEX.answersByDay.sk,
          },
          ExpressionAttributeValues: {
            ':answered': 'answered',
            ':sent': 'sent',
            ':delivered': 'delivered',
            ':score': answer.score,
            ':at': at,
            ':apk': keys[INDEX.answersByDay.pk],
            ':ask': keys[INDEX.answersByDay.sk],
            ':empty': [],
            ':entry': [entry],
            ...(answer.comment ? { ':comment': answer.comment } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Records SES feedback: the event's time (first one wins, so redeliveries change nothing) and,
   * where given, a status change that only applies while the survey is still unanswered.
   */
  async recordFeedback(
    invitationId: string,
    field: 'deliveredAt' | 'bouncedAt' | 'complainedAt',
    at: Date,
    status?: { to: Invitation['status']; from: Invitation['status'][] },
  ): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: invitationKey(invitationId),
        UpdateExpression: 'SET #field = if_not_exists(#field, :at)',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#field': field, '#pk': KEY.pk },
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
    if (!status) return;
    const from = Object.fromEntries(status.from.map((value, i) => [`:from${i}`, value]));
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: invitationKey(invitationId),
          UpdateExpression: 'SET #status = :to',
          ConditionExpression: `#status IN (${Object.keys(from).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': status.to, ...from },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** A customer's invitations, newest interaction first (the timeline's source). */
  async ofCustomer(customerId: string, limit: number): Promise<Invitation[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.byCustomer.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': INDEX.byCustomer.pk },
        ExpressionAttributeValues: { ':pk': `CUST#${customerId}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const ids = Items.map((item) => String(item[KEY.pk]).slice('INV#'.length));
    const found = new Map<string, Invitation>();
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map(invitationKey);
      for (let attempt = 0; keys?.length; attempt++) {
        if (attempt > 8)
          throw new Error(`timeline read: ${keys.length} invitations still unprocessed`);
        if (attempt) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const page: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of page.Responses?.[this.tableName] ?? []) {
          const invitation = fromItem(item);
          found.set(invitation.invitationId, invitation);
        }
        keys = page.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /**
   * Streams the slim rows of invitations (by send/decision time) or answers (by answer time) in
   * [start, end): one paginated Query per UTC date and shard; never a Scan.
   */
  async *byTime(
    kind: 'invitations' | 'answers',
    start: Date,
    end: Date,
  ): AsyncGenerator<InvitationDayRow[]> {
    const index = kind === 'invitations' ? INDEX.byDay : INDEX.answersByDay;
    const from = start.toISOString();
    const to = end.toISOString(); // exclusive: a key at `end` is `<end>#id`, which sorts after it
    const partitions = utcDatesBetween(start, end).flatMap((date) =>
      Array.from({ length: SHARDS }, (_, shard) => `${date}#${shard}`),
    );
    const pages = partitions.map((pk) => this.queryPartition(index, pk, from, to));
    for (const page of pages) {
      for await (const rows of page) yield rows;
    }
  }

  private async *queryPartition(
    index: { name: string; pk: string; sk: string },
    pk: string,
    from: string,
    to: string,
  ): AsyncGenerator<InvitationDayRow[]> {
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
        }),
      );
      yield (page.Items ?? []) as InvitationDayRow[];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private async transition(
    invitationId: string,
    from: Invitation['status'],
    change: { set: Record<string, unknown>; remove?: string[] },
  ) {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':from': from };
    const sets = Object.entries(change.set).map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const removes = (change.remove ?? []).map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: invitationKey(invitationId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
