/**
 * The dashboard's access log: who saw customers' comments, whose timeline, and what was exported,
 * when. It names the signed-in user by their subject id and what they looked at by touchpoint,
 * filters and counts, never a customer's address or comment; a customer is named by a hash of
 * their id. Item: pk `AUDIT#<yyyy-mm>`, sk `<at>#<random>`; kept `dataRetentionDays`
 * (TTL), as long as the data it is about.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import { KEY, TTL_ATTRIBUTE } from './table.js';

export type AuditAction =
  | 'view-answers'
  | 'view-customer'
  | 'export'
  /** A follow-up case's page: the comment and the customer's name and address. */
  | 'view-case'
  /** A case moved (contacted, resolved, no action) or a note added. */
  | 'move-case'
  /** An owner's expected score recorded (the perception gap). */
  | 'set-expectation';

export interface AuditEntry {
  at: string;
  /** The signed-in user's subject id (the identity provider's, not an address). */
  actor: string;
  roles: string[];
  action: AuditAction;
  /** What was looked at: filters and period, or `customer:<hash>`. */
  scope: string;
  /** How many answers or rows it showed or exported. */
  count: number;
}

/** A customer named in the access log without naming them: a hash of their id. */
export function customerRef(customerId: string): string {
  return `customer:${createHash('sha256').update(customerId).digest('base64url').slice(0, 16)}`;
}

export class AuditStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** How long an entry is kept: as long as the data it is about (`dataRetentionDays`). */
    private readonly retentionDays = 400,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [KEY.pk]: `AUDIT#${entry.at.slice(0, 7)}`,
          [KEY.sk]: `${entry.at}#${randomUUID()}`,
          ...entry,
          [TTL_ATTRIBUTE]: Math.floor(Date.parse(entry.at) / 1000) + this.retentionDays * 86_400,
        },
      }),
    );
  }

  /** A month's entries, newest first. */
  async month(month: string, limit = 100): Promise<AuditEntry[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': KEY.pk },
        ExpressionAttributeValues: { ':pk': `AUDIT#${month}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => ({
      at: String(item.at),
      actor: String(item.actor),
      roles: (item.roles as string[] | undefined) ?? [],
      action: item.action as AuditAction,
      scope: String(item.scope),
      count: Number(item.count),
    }));
  }
}
