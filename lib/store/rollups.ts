/**
 * Rollup items: pk `ROLLUP#<yyyy-mm>`,
 * sk `<day>#<touchpoint>#<channel>#<segment>#<journeyId>#<journeyStep>`.
 * A month per partition keeps a report over any date range to one Query per month. Items written
 * before the journey id was a dimension have a sk without it; they parse (journey `-`) and the
 * next recompute of their day replaces them.
 */
import {
  BatchWriteCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { RollupRow } from '../contracts/report.js';
import { KEY } from './table.js';
import { monthsBetween } from '../domain/time.js';

export function rollupKey(
  row: Pick<RollupRow, 'day' | 'touchpoint' | 'channel' | 'segment' | 'journeyId' | 'journeyStep'>,
) {
  return {
    [KEY.pk]: `ROLLUP#${row.day.slice(0, 7)}`,
    [KEY.sk]: [
      row.day,
      row.touchpoint,
      row.channel,
      row.segment,
      row.journeyId,
      row.journeyStep,
    ].join('#'),
  };
}

type StoredKey = Record<typeof KEY.pk | typeof KEY.sk, string>;

const BATCH = 25;

export class RollupStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Makes the stored rows of a day exactly `rows`: puts every row, deletes cells no longer there. */
  async replaceDay(day: string, rows: RollupRow[]): Promise<void> {
    const keep = new Set(rows.map((row) => rollupKey(row)[KEY.sk]));
    // Deleted by the keys they are stored under, which an older key format may have built.
    const stale = (await this.items(day, day))
      .map(({ key }) => key)
      .filter((key) => !keep.has(key[KEY.sk]));
    const requests = [
      ...rows.map((row) => ({ PutRequest: { Item: { ...row, ...rollupKey(row) } } })),
      ...stale.map((key) => ({ DeleteRequest: { Key: key } })),
    ];
    for (let i = 0; i < requests.length; i += BATCH) {
      await this.batchWrite(requests.slice(i, i + BATCH));
    }
  }

  /** Rows of the days from `from` to `to`, both included (month partitions read in parallel). */
  async range(from: string, to: string): Promise<RollupRow[]> {
    return (await this.items(from, to)).map(({ row }) => row);
  }

  private async items(from: string, to: string): Promise<{ key: StoredKey; row: RollupRow }[]> {
    const months = await Promise.all(
      monthsBetween(from, to).map(async (month) => {
        const rows: { key: StoredKey; row: RollupRow }[] = [];
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
              ExpressionAttributeNames: { '#pk': KEY.pk, '#sk': KEY.sk },
              ExpressionAttributeValues: {
                ':pk': `ROLLUP#${month}`,
                ':from': from,
                ':to': `${to}#\uffff`,
              },
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of page.Items ?? []) {
            rows.push({
              key: { [KEY.pk]: item[KEY.pk] as string, [KEY.sk]: item[KEY.sk] as string },
              row: RollupRow.parse(item),
            });
          }
          startKey = page.LastEvaluatedKey;
        } while (startKey);
        return rows;
      }),
    );
    return months.flat();
  }

  private async batchWrite(
    requests: NonNullable<
      ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']
    >[string],
  ) {
    let pending = requests;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt > 8)
        throw new Error(`rollup write: ${pending.length} items still unprocessed after retries`);
      if (attempt) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { UnprocessedItems } = await this.doc.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = UnprocessedItems?.[this.tableName] ?? [];
    }
  }
}
