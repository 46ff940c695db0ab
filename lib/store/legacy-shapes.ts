/**
 * Whether the table still holds items of the first key shapes, which the stores read besides the
 * current ones: contacts under pk `CUST#<id>` / sk `CONTACT` (ContactStore.get reads one for every
 * customer without a current item) and suppressions under pk `SUPP#<sha256>` (SuppressionStore
 * reads one with every address). Each is half a read unit at intake and at dispatch (issue 19):
 * a table without them is spared those reads.
 *
 * No version writes either shape any more, so once a table holds none it never will again.
 * `afterword migrate-storage` counts them with a keys-only Scan (its policy may read the key
 * attributes only: no customer data) and records what it found; a table made by this version
 * (the local stack's) records none at creation. Until something is recorded, both are read.
 *
 * Item: pk `STORAGE`, sk `LEGACY_SHAPES`: `contacts` and `suppressions` (how many the last count
 * found) and `countedAt`.
 */
import {
  GetCommand,
  PutCommand,
  ScanCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { KEY, LEGACY_SHAPES_KEY } from './table.js';

/** Which first-shape items the stores must still read. */
export interface LegacyPresence {
  contacts: boolean;
  suppressions: boolean;
}

export interface LegacyCount {
  contacts: number;
  suppressions: number;
}

/** How long a container trusts a record that some remain before it reads it again. */
const RECHECK_MS = 5 * 60_000;

export class LegacyShapes {
  private cached: { presence: Promise<LegacyPresence>; until: number } | undefined;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Which shapes may still be present: read once per container (half a read unit), and kept for
   * good once neither is, since nothing writes them again; otherwise read again after 5 minutes,
   * so a migration's record reaches warm containers.
   */
  present(): Promise<LegacyPresence> {
    const now = this.clock();
    if (this.cached && now < this.cached.until) return this.cached.presence;
    const presence = this.read();
    this.cached = { presence, until: now + RECHECK_MS };
    presence.then(
      (value) => {
        if (!value.contacts && !value.suppressions) this.cached = { presence, until: Infinity };
      },
      // a failed read is tried again by the next caller, who sees its error meanwhile
      () => (this.cached = undefined),
    );
    return presence;
  }

  private async read(): Promise<LegacyPresence> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: LEGACY_SHAPES_KEY }),
    );
    if (!Item) return { contacts: true, suppressions: true };
    return { contacts: Item.contacts !== 0, suppressions: Item.suppressions !== 0 };
  }

  /**
   * Counts the first-shape items with a Scan that reads the key attributes only (a full pass over
   * the table: its read units are the table's size, once).
   */
  async count(onPage: (count: LegacyCount) => void = () => undefined): Promise<LegacyCount> {
    const count: LegacyCount = { contacts: 0, suppressions: 0 };
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          Select: 'SPECIFIC_ATTRIBUTES',
          ProjectionExpression: '#pk, #sk',
          FilterExpression:
            '(begins_with(#pk, :contact) AND #sk = :contactSk) OR begins_with(#pk, :suppression)',
          ExpressionAttributeNames: { '#pk': KEY.pk, '#sk': KEY.sk },
          ExpressionAttributeValues: {
            ':contact': 'CUST#',
            ':contactSk': 'CONTACT',
            ':suppression': 'SUPP#',
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (String(item[KEY.pk]).startsWith('SUPP#')) count.suppressions += 1;
        else count.contacts += 1;
      }
      onPage({ ...count });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  /** Records what a count found (the stores stop reading a shape once it is 0). */
  async record(count: LegacyCount, at: Date): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...LEGACY_SHAPES_KEY, ...count, countedAt: at.toISOString() },
      }),
    );
    this.cached = undefined;
  }
}
