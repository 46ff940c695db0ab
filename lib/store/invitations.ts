/**
 * Invitations as items: the decision written once per interaction, reads by id and by customer,
 * SES's feedback on them, and their erasure. The outbox steps are in outbox.ts, the answers in
 * answers.ts and the day indexes' reads in day-index.ts; keys are built in invitation-items.ts.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ERASED_CUSTOMER_ID, type Invitation } from '../contracts/invitation.js';
import { batchGetAll, INDEX, KEY, TTL_ATTRIBUTE } from './table.js';
import {
  attributesAttribute,
  CONTACT_VERSION,
  customerKeys,
  invitationDayKeys,
  IN_COUNTERS,
  invitationFromItem,
  invitationKey,
  OUT_OF_QUEUES,
  queueKeys,
  revisionCondition,
} from './invitation-items.js';
import { updateItem } from './update.js';

export type CreateResult =
  | { created: true }
  /** `existingContactVersion`: the contact state's version the first decision stands on. */
  | { created: false; existing: Invitation; existingContactVersion?: number };

export class InvitationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes a new decision exactly once per interaction; a redelivery gets the first one back.
   * `contactVersion`: the contact state's version the decision stands on, kept with it.
   */
  async create(
    invitation: Invitation,
    retentionDays: number,
    { contactVersion }: { contactVersion?: number } = {},
  ): Promise<CreateResult> {
    const expireAt = Math.floor(Date.parse(invitation.decidedAt) / 1000) + retentionDays * 86_400;
    const item = {
      ...invitation,
      ...attributesAttribute(invitation.attributes),
      [TTL_ATTRIBUTE]: expireAt,
      // counted by the stream from this first state on (domain/counters.ts)
      [IN_COUNTERS]: true,
      ...invitationKey(invitation.invitationId),
      ...invitationDayKeys(invitation.invitationId, invitation.sendAt ?? invitation.decidedAt),
      // an erased decision names nobody: no customer's timeline holds it
      ...(invitation.customerId === ERASED_CUSTOMER_ID
        ? {}
        : customerKeys(invitation.customerId, invitation.invitationId, invitation.occurredAt)),
      ...(invitation.status === 'scheduled' && invitation.sendAt
        ? queueKeys('DUE', invitation.invitationId, invitation.sendAt)
        : {}),
      ...(contactVersion !== undefined ? { [CONTACT_VERSION]: contactVersion } : {}),
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
      const item = error.Item ? unmarshall(error.Item) : undefined;
      const existing = item ? invitationFromItem(item) : await this.get(invitation.invitationId);
      if (!existing) throw error;
      const version: unknown = item?.[CONTACT_VERSION];
      return {
        created: false,
        existing,
        ...(typeof version === 'number' ? { existingContactVersion: version } : {}),
      };
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
    return Item ? invitationFromItem(Item) : undefined;
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
    const key = invitationKey(invitationId);
    const firstTime = {
      setExpressions: ['#field = if_not_exists(#field, :at)'],
      names: { '#field': field, '#pk': KEY.pk },
      values: { ':at': at.toISOString() },
    };
    if (status) {
      const from = Object.fromEntries(status.from.map((value, i) => [`:from${i}`, value]));
      const moved = await updateItem(this.doc, this.tableName, key, {
        set: { status: status.to },
        setExpressions: firstTime.setExpressions,
        // A bounced survey waits for no reminder and no expiry.
        ...(status.to === 'bounced' ? { remove: OUT_OF_QUEUES } : {}),
        condition: `attribute_exists(#pk) AND #status IN (${Object.keys(from).join(', ')})`,
        names: { ...firstTime.names, '#status': 'status' },
        values: { ...firstTime.values, ...from },
      });
      if (moved.updated) return true;
    }
    const recorded = await updateItem(this.doc, this.tableName, key, {
      ...firstTime,
      condition: 'attribute_exists(#pk)',
    });
    return recorded.updated;
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
   * keeps its entry until its outcome, a sent one its reminder: without an address no reminder goes out).
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
    const set: Record<string, unknown> = {
      customerId: ERASED_CUSTOMER_ID,
      interactionId: ERASED_CUSTOMER_ID,
      payloadHash: ERASED_CUSTOMER_ID,
      erasedAt: at.toISOString(),
      ...(addressRef ? { addressRef } : {}),
    };
    const remove: string[] = [
      'email',
      'name',
      'comment',
      'attributes',
      'attributesJson',
      'messageId',
      'reminderMessageId',
      INDEX.byCustomer.pk,
      INDEX.byCustomer.sk,
      // a redelivery's claim after the erasure is then taken back, not kept as this one's
      CONTACT_VERSION,
    ];
    for (const field of ['answers', 'history'] as const) {
      if (keep[field] === undefined) remove.push(field);
      else set[field] = keep[field];
    }
    if (invitation.status === 'scheduled') {
      Object.assign(set, { status: 'cancelled', reason: 'erased' });
    }
    // out of every queue: no survey, reminder or review email goes to the person any more
    remove.push(...OUT_OF_QUEUES);
    const values: Record<string, unknown> = { ':zero': 0, ':one': 1, ':read': invitation.status };
    const outcome = await updateItem(
      this.doc,
      this.tableName,
      invitationKey(invitation.invitationId),
      {
        set,
        setExpressions: ['answersRevision = if_not_exists(answersRevision, :zero) + :one'],
        remove,
        condition: `attribute_exists(#pk) AND attribute_not_exists(erasedAt) AND #status = :read AND ${revisionCondition(invitation, values)}`,
        names: { '#pk': KEY.pk, '#status': 'status' },
        values,
      },
    );
    if (outcome.updated) return 'erased';
    return outcome.current && !outcome.current.erasedAt ? 'changed' : 'already';
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
        const invitation = invitationFromItem(item);
        return [invitation.invitationId, invitation] as const;
      }),
    );
    return ids.flatMap((id) => found.get(id) ?? []);
  }
}
