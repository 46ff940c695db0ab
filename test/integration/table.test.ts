/**
 * The local table keeps up with the code: an index a newer version defines is added to a table an
 * older one made (a local stack's kept data), against DynamoDB Local.
 */
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTableInput, ensureTable, INDEX } from '../../lib/store/table.js';
import { testRuntime } from '../support/harness.js';

describe('ensureTable', () => {
  it('adds the keys-only day index to a table made before it, and leaves a current one alone', async () => {
    const { dynamodb } = await testRuntime();
    const tableName = `old-${randomUUID()}`;
    const input = createTableInput(tableName);
    const indexes = (names: { IndexName?: string }[] | undefined) =>
      (names ?? []).map((index) => index.IndexName).sort();
    await dynamodb.send(
      new CreateTableCommand({
        ...input,
        GlobalSecondaryIndexes: input.GlobalSecondaryIndexes!.filter(
          (index) => index.IndexName !== INDEX.invitationsByDay.name,
        ),
        AttributeDefinitions: input.AttributeDefinitions!.filter(
          (a) => !a.AttributeName!.startsWith('invDay'),
        ),
      }),
    );
    const described = async () =>
      (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table!;
    expect(indexes((await described()).GlobalSecondaryIndexes)).not.toContain(
      INDEX.invitationsByDay.name,
    );
    await ensureTable(dynamodb, tableName);
    const expected = Object.values(INDEX)
      .map((index) => index.name)
      .sort();
    expect(indexes((await described()).GlobalSecondaryIndexes)).toEqual(expected);
    await ensureTable(dynamodb, tableName); // nothing left to add
    expect(indexes((await described()).GlobalSecondaryIndexes)).toEqual(expected);
  });
});
