/**
 * Whether the table still holds items of the first key shapes, which the stores read besides the
 * current ones: contacts under pk `CUST#<id>` / sk `CONTACT` (ContactStore.get reads one for every
 * customer without a current item) and suppressions under pk `SUPP#<sha256>` (SuppressionStore
 * reads one with every address). Each is half a read unit at intake and at dispatch (issue 19):
 * a table without them is spared those reads.
 *
 * No version writes either shape any more, so once a table holds none it never will again. The
 * nightly rollup function counts them (`countIfDue`: a Scan that returns a count and nothing else,
 * at most once a week while some remain, never again once none do) and records the count; a table
 * made by this version (the local stack's) records none at creation. Until a count of none is
 * recorded, both shapes are read. The count runs in the function, not in an operator's CLI: a
 * person's policy allowing Scan, even of the keys only, would list customer ids.
 *
 * Item: pk `STORAGE`, sk `LEGACY_SHAPES`: `remaining` (how many the last count found) and
 * `countedAt`.
 */
import {
  GetCommand,
  PutCommand,
  ScanCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { KEY, LEGACY_SHAPES_KEY } from './table.js';

/** Which first-shape items the stores must still read (one count covers both shapes). */
export interface LegacyPresence {
  contacts: boolean;
  suppressions: boolean;
}

/** How often a count runs again while some remain: it reads the whole table. */
const RECOUNT_MS = 7 * 86_400_000;

const BOTH_PRESENT: LegacyPresence = { contacts: true, suppressions: true };

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
   * so a newer record reaches warm containers. Never fails: a failed read answers "both may be
   * present" (the reads the record would have spared are made) and is tried again next time.
   */
  present(): Promise<LegacyPresence> {
    const now = this.clock();
    if (this.cached && now < this.cached.until) return this.cached.presence;
    const presence = this.read().catch(() => {
      // only the read that set the cache clears it: a newer one may have replaced it meanwhile
      if (this.cached?.presence === presence) this.cached = undefined;
      return BOTH_PRESENT;
    });
    this.cached = { presence, until: now + RECHECK_MS };
    void presence.then((value) => {
      if (this.cached?.presence === presence && !value.contacts && !value.suppressions) {
        this.cached = { presence, until: Infinity };
      }
    });
    return presence;
  }

  private async read(): Promise<LegacyPresence> {
    const remaining = (await this.record())?.remaining;
    const present = remaining !== 0;
    return { contacts: present, suppressions: present };
  }

  private async record(): Promise<{ remaining: number; countedAt: string } | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: LEGACY_SHAPES_KEY }),
    );
    if (!Item) return undefined;
    return { remaining: Number(Item.remaining), countedAt: String(Item.countedAt) };
  }

  /**
   * Counts the first-shape items and records the count, unless a count already found none (then
   * none can appear) or ran in the last week. Returns the count made now, or why none was made.
   */
  async countIfDue(now: Date): Promise<number | 'none-left' | 'counted-recently'> {
    const last = await this.record();
    if (last?.remaining === 0) return 'none-left';
    if (last && now.getTime() - Date.parse(last.countedAt) < RECOUNT_MS) return 'counted-recently';
    let remaining = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          // a count and nothing else: the function's policy allows no other Scan
          Select: 'COUNT',
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
      remaining += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...LEGACY_SHAPES_KEY, remaining, countedAt: now.toISOString() },
      }),
    );
    this.cached = undefined;
    return remaining;
  }
}
