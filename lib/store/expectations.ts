/**
 * Owners' expectations (the perception gap, issue 21): the score a touchpoint's owner expects for a
 * calendar month, recorded on the dashboard. Item: pk `EXPECT#<touchpoint>`, sk `<YYYY-MM>`; the
 * latest recording wins. Who recorded it is the signed-in user's id (no customer data here).
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, KEY } from './table.js';

export interface Expectation {
  touchpoint: string;
  month: string;
  score: number;
  /** The signed-in user who recorded it, and when. */
  by: string;
  at: string;
}

export function expectationKey(touchpoint: string, month: string) {
  return { [KEY.pk]: `EXPECT#${touchpoint}`, [KEY.sk]: month };
}

export class ExpectationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(expectation: Expectation): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...expectation, ...expectationKey(expectation.touchpoint, expectation.month) },
      }),
    );
  }

  /** The recorded expectations of `month` for these touchpoints, by touchpoint (one BatchGetItem). */
  async ofMonth(month: string, touchpoints: string[]): Promise<Map<string, Expectation>> {
    const items = await batchGetAll(
      this.doc,
      this.tableName,
      touchpoints.map((touchpoint) => expectationKey(touchpoint, month)),
      { what: 'expectations' },
    );
    return new Map(
      items
        .filter((item) => typeof item.score === 'number' && typeof item.touchpoint === 'string')
        .map((item) => [
          item.touchpoint as string,
          {
            touchpoint: item.touchpoint as string,
            month,
            score: item.score as number,
            by: typeof item.by === 'string' ? item.by : '',
            at: typeof item.at === 'string' ? item.at : '',
          },
        ]),
    );
  }
}
