/**
 * The dispatcher's lease: one item that lets only one dispatcher run at a time, so overlapping
 * runs (a slow tick meeting the next one, an async retry, a duplicate invocation) cannot together
 * send faster than the SES rate that each of them paces itself to.
 * Item: pk `DISPATCHER`, sk `LEASE`, with the holder's id and the time its lease ends.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KEY } from './table.js';

const LEASE_KEY = { [KEY.pk]: 'DISPATCHER', [KEY.sk]: 'LEASE' };

export class DispatcherLeaseStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Takes the lease until `until` when nobody holds it, or its holder's time ran out (a holder
   * that died keeps it only until then). Returns false when another dispatcher holds it.
   */
  async acquire(holder: string, now: Date, until: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          UpdateExpression: 'SET holder = :holder, leaseUntil = :until',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil <= :now',
          ExpressionAttributeValues: {
            ':holder': holder,
            ':until': until.toISOString(),
            ':now': now.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Gives the lease back, if this holder still has it (a late holder leaves a successor's alone). */
  async release(holder: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: LEASE_KEY,
          UpdateExpression: 'REMOVE holder, leaseUntil',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
