/**
 * The rollup's and the drill-down's reads: invitations by the UTC date of their send (or decision)
 * time, and answers by the date they were given, from the sharded day indexes, never a Scan.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { utcDatesBetween } from '../domain/time.js';
import { batchGetAll, INDEX, KEY, SHARDS } from './table.js';
import {
  countedOfDaySortKey,
  journeyOfDaySortKey,
  valueOfDaySortKey,
  reviewOfDaySortKey,
  type InvitationDayRow,
} from './invitation-items.js';

/** Dates the drill-down reads at once (each in its shards), newest first. */
const DATES_AT_ONCE = 4;

export class DayIndex {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Read units consumed by the day-index reads, as DynamoDB reports them (for benchmarks). */
  readUnits = 0;

  /**
   * Hands the slim rows of invitations (by send/decision time) or answers (by answer time) in
   * [start, end) to `onPage`, page by page: one paginated Query per UTC date and shard, the
   * partitions read in parallel; never a Scan. Memory stays at one page per partition in flight.
   * Invitations are in one of two indexes: `byDay` (rows projected) for those decided before the
   * stream's counters, `invitationsByDay` (keys only: each page's items then read with
   * BatchGetItem) since; `only: 'byDay'` reads the first alone (the migration's marking).
   */
  async forEachPage(
    kind: 'invitations' | 'answers',
    start: Date,
    end: Date,
    onPage: (rows: InvitationDayRow[]) => void,
    { only }: { only?: 'byDay' } = {},
  ): Promise<void> {
    const from = start.toISOString();
    const to = end.toISOString(); // exclusive: a key at `end` is `<end>#id`, which sorts after it
    const partitions = utcDatesBetween(start, end).flatMap((date) =>
      Array.from({ length: SHARDS }, (_, shard) => `${date}#${shard}`),
    );
    const indexes =
      kind === 'answers'
        ? [INDEX.answersByDay]
        : only
          ? [INDEX.byDay]
          : [INDEX.byDay, INDEX.invitationsByDay];
    await Promise.all(
      indexes.flatMap((index) =>
        partitions.map(async (pk) => {
          let startKey: Record<string, unknown> | undefined;
          do {
            const page = await this.query(index, pk, from, to, startKey);
            onPage(
              index === INDEX.invitationsByDay
                ? // the journey is an attribute of the item: this index's key carries none
                  ((await this.itemsOf(page.Items ?? [])) as InvitationDayRow[])
                : (page.Items ?? []).map((item) => rowOf(item, index.sk)),
            );
            startKey = page.LastEvaluatedKey;
          } while (startKey);
        }),
      ),
    );
  }

  /** The invitations a keys-only page names, read eventually consistently (counting units). */
  private async itemsOf(keys: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    if (!keys.length) return [];
    return batchGetAll(
      this.doc,
      this.tableName,
      keys.map((key) => ({ [KEY.pk]: key[KEY.pk], [KEY.sk]: key[KEY.sk] })),
      { what: 'invitations', onUnits: (units) => (this.readUnits += units) },
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
              const page = await this.query(index, `${date}#${shard}`, from, to, startKey, {
                newestFirst: true,
              });
              for (const item of page.Items ?? []) {
                const sortKey = String(item[index.sk]);
                if (sortKey === before) continue; // the cursor itself was on the previous page
                const row = rowOf(item, index.sk);
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

  /** One page of a day partition's entries with sort keys in [from, to], counting read units. */
  private async query(
    index: (typeof INDEX)['byDay' | 'answersByDay' | 'invitationsByDay'],
    pk: string,
    from: string,
    to: string,
    startKey: Record<string, unknown> | undefined,
    { newestFirst = false }: { newestFirst?: boolean } = {},
  ) {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
        ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
        ScanIndexForward: !newestFirst,
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    return page;
  }
}

/** A day index entry as a slim row: the journey and the counted answers ride in its sort key. */
function rowOf(item: Record<string, unknown>, sortKeyAttribute: string): InvitationDayRow {
  return {
    ...(item as InvitationDayRow),
    journeyId: journeyOfDaySortKey(item[sortKeyAttribute]),
    counted: countedOfDaySortKey(item[sortKeyAttribute]),
    ...valueOfDaySortKey(item[sortKeyAttribute]),
    ...reviewOfDaySortKey(item[sortKeyAttribute]),
  };
}
