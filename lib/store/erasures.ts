/**
 * The record that an erasure happened, kept for audit without the identity: who was erased is a
 * keyed hash of their customer id (the consent key's), so an auditor holding the id can prove the
 * erasure, and nobody can read the id back. While the erasure runs, the record also holds its plan
 * (the invitation ids it set out to scrub), so a retry after a crash finishes the same work and
 * counts it once; the plan is removed when it completes.
 *
 * Item: pk `ERASURE#<requestId>`, sk `ERASURE`. No TTL: it holds nothing personal.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ErasureCounts } from '../contracts/erasure.js';
import { KEY } from './table.js';

export interface ErasureRecord {
  requestId: string;
  requestedAt: string;
  /** Keyed hashes of the erased customer ids. */
  subjects: string[];
  /** What the first attempt found to do, while the erasure runs. */
  plan?: ErasurePlan;
  completedAt?: string;
  counts?: ErasureCounts;
}

/**
 * What the first attempt found, kept until completion, so a retry (which may find the contact items
 * already deleted) works through the same invitations and reports the same counts.
 */
export interface ErasurePlan {
  customers: number;
  invitations: string[];
  /** Contact and directory items found. */
  contacts: number;
  /** The earliest opt-out among the customers, when any had opted out. */
  optedOutAt?: string;
  optedOutCustomers: number;
}

export function erasureKey(requestId: string) {
  return { [KEY.pk]: `ERASURE#${requestId}`, [KEY.sk]: 'ERASURE' };
}

function recordOf(requestId: string, item: Record<string, unknown>): ErasureRecord {
  return {
    requestId,
    requestedAt: item.requestedAt as string,
    subjects: [...((item.subjects as Set<string> | undefined) ?? [])].sort(),
    ...(item.plan ? { plan: item.plan as ErasurePlan } : {}),
    ...(typeof item.completedAt === 'string' ? { completedAt: item.completedAt } : {}),
    ...(item.counts ? { counts: item.counts as ErasureCounts } : {}),
  };
}

export class ErasureStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Starts the record, or finds the one a first attempt started (a retry); undefined when the
   * request id was first used for another target (a keyed hash of the id or address asked for).
   */
  async begin(
    requestId: string,
    at: Date,
    subjects: string[],
    target: string,
  ): Promise<ErasureRecord | undefined> {
    try {
      const { Attributes = {} } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: erasureKey(requestId),
          UpdateExpression: `SET requestedAt = if_not_exists(requestedAt, :at), #target = if_not_exists(#target, :target)${subjects.length ? ' ADD subjects :subjects' : ''}`,
          ConditionExpression: 'attribute_not_exists(#target) OR #target = :target',
          ExpressionAttributeNames: { '#target': 'target' },
          ExpressionAttributeValues: {
            ':at': at.toISOString(),
            ':target': target,
            ...(subjects.length ? { ':subjects': new Set(subjects) } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return recordOf(requestId, Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Invitations found after the plan was made (decided while the erasure ran). */
  async addToPlan(requestId: string, invitationIds: string[]): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: erasureKey(requestId),
        UpdateExpression: 'SET #plan.invitations = list_append(#plan.invitations, :ids)',
        ConditionExpression: 'attribute_exists(#plan)',
        ExpressionAttributeNames: { '#plan': 'plan' },
        ExpressionAttributeValues: { ':ids': invitationIds },
      }),
    );
  }

  /** Keeps the first attempt's plan: a retry works through the same list, whatever it finds now. */
  async plan(requestId: string, plan: ErasurePlan): Promise<ErasurePlan> {
    const { Attributes = {} } = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: erasureKey(requestId),
        UpdateExpression: 'SET #plan = if_not_exists(#plan, :plan)',
        ExpressionAttributeNames: { '#plan': 'plan' },
        ExpressionAttributeValues: { ':plan': plan },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes.plan as ErasurePlan;
  }

  /** Marks it done with its counts, once; a second completion gets the first one's record. */
  async complete(requestId: string, counts: ErasureCounts, at: Date): Promise<ErasureRecord> {
    try {
      const { Attributes = {} } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: erasureKey(requestId),
          UpdateExpression: 'SET completedAt = :at, #counts = :counts REMOVE #plan',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(completedAt)',
          ExpressionAttributeNames: { '#counts': 'counts', '#pk': KEY.pk, '#plan': 'plan' },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':counts': counts },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return recordOf(requestId, Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(requestId);
      if (!existing) throw error;
      return existing;
    }
  }

  async get(requestId: string): Promise<ErasureRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: erasureKey(requestId),
        ConsistentRead: true,
      }),
    );
    return Item ? recordOf(requestId, Item) : undefined;
  }
}
