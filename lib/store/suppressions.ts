/**
 * Suppressed addresses: a permanent bounce or a complaint means this address is never emailed
 * again. Keyed by a hash of the normalised address, so the key itself holds no PII.
 * Item: pk `SUPP#<sha256(lower-case email)>`, sk `SUPPRESSION`.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { KEY } from './table.js';

export type SuppressionReason = 'bounce' | 'complaint';

export function suppressionKey(email: string) {
  const hash = createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
  return { [KEY.pk]: `SUPP#${hash}`, [KEY.sk]: 'SUPPRESSION' };
}

export class SuppressionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async suppress(
    email: string,
    reason: SuppressionReason,
    at: Date,
    invitationId: string,
  ): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...suppressionKey(email), reason, at: at.toISOString(), invitationId },
      }),
    );
  }

  async reasonFor(email: string): Promise<SuppressionReason | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: suppressionKey(email) }),
    );
    return Item?.reason as SuppressionReason | undefined;
  }
}
