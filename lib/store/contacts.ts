/**
 * Contact state per customer: pk `CUST#<customerId>`, sk `CONTACT`. Claims are conditional on
 * the version read, so concurrent interactions of one customer cannot both pass the contact rules.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { EMPTY_CONTACT_STATE, type ContactState } from '../domain/contact-rules.js';
import { KEY } from './table.js';

export function contactKey(customerId: string) {
  return { [KEY.pk]: `CUST#${customerId}`, [KEY.sk]: 'CONTACT' };
}

export class ContactStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * The customer's contact state. An eventually consistent read (`consistent: false`) costs half;
   * a stale version only makes the conditional claim fail, and the caller reads again, consistently.
   */
  async get(
    customerId: string,
    { consistent = true }: { consistent?: boolean } = {},
  ): Promise<ContactState> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: contactKey(customerId),
        ConsistentRead: consistent,
      }),
    );
    if (!Item) return { ...EMPTY_CONTACT_STATE };
    return {
      version: Number(Item.version ?? 0),
      lastInvitedAt: Item.lastInvitedAt as string | undefined,
      lastInteractionId: Item.lastInteractionId as string | undefined,
      programLast: (Item.programLast as Record<string, string> | undefined) ?? {},
      recent: (Item.recent as string[] | undefined) ?? [],
      optedOutAt: Item.optedOutAt as string | undefined,
    };
  }

  /**
   * Writes `next` only if nobody changed the state since `expectedVersion` was read; false when
   * someone did (the caller reads again and decides again).
   */
  async claim(customerId: string, expectedVersion: number, next: ContactState): Promise<boolean> {
    const { version, lastInvitedAt, lastInteractionId, programLast, recent } = next;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...contactKey(customerId),
            version,
            lastInvitedAt,
            lastInteractionId,
            programLast,
            recent,
            ...(next.optedOutAt ? { optedOutAt: next.optedOutAt } : {}),
          },
          ConditionExpression:
            expectedVersion === 0
              ? 'attribute_not_exists(#pk)'
              : '#version = :expected AND attribute_not_exists(optedOutAt)',
          ExpressionAttributeNames:
            expectedVersion === 0 ? { '#pk': KEY.pk } : { '#version': 'version' },
          ExpressionAttributeValues:
            expectedVersion === 0 ? undefined : { ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Opts the customer out of every program, at once and for good (the first time is kept). */
  async optOut(customerId: string, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: contactKey(customerId),
        UpdateExpression:
          'SET optedOutAt = if_not_exists(optedOutAt, :at), #version = if_not_exists(#version, :zero) + :one',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':at': at.toISOString(), ':zero': 0, ':one': 1 },
      }),
    );
  }
}
