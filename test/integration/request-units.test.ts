/**
 * The benchmark's request-unit meter: item sizes by AWS's published rules, and the units it
 * records for real calls against DynamoDB Local on the real table design.
 */
import { DynamoDBClient, PutItemCommand, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ensureTable, INDEX } from '../../lib/store/table.js';
import { itemSize, numberSize, RequestUnitMeter } from '../bench/request-units.js';

describe('item sizes by the DynamoDB rules', () => {
  it('counts attribute names and values in UTF-8 bytes', () => {
    expect(itemSize({ id: { S: 'abc' } })).toBe(5);
    expect(itemSize({ ü: { S: 'ß' } })).toBe(4);
    expect(itemSize({ ok: { BOOL: true }, none: { NULL: true } })).toBe(2 + 1 + 4 + 1);
  });

  it('sizes numbers by their significant digits', () => {
    expect(numberSize('1')).toBe(2);
    expect(numberSize('123')).toBe(3);
    expect(numberSize('-0.00012300')).toBe(3);
    expect(numberSize('1000000')).toBe(2);
  });

  it('adds 3 bytes per list or map and 1 byte per element', () => {
    expect(itemSize({ l: { L: [{ S: 'a' }, { N: '1' }] } })).toBe(1 + 3 + (1 + 1) + (1 + 2));
    expect(itemSize({ m: { M: { k: { S: 'v' } } } })).toBe(1 + 3 + (1 + 1 + 1));
  });
});

describe('the request-unit meter on DynamoDB Local', () => {
  const tableName = `meter-${randomUUID()}`;
  const client = new DynamoDBClient({
    endpoint: inject('dynamodbEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const doc = DynamoDBDocumentClient.from(client);
  const meter = new RequestUnitMeter(inject('dynamodbEndpoint'));
  const last = () => meter.operations.at(-1)!;

  beforeAll(async () => {
    await ensureTable(client, tableName);
    meter.attach(client);
  });
  afterAll(() => {
    meter.destroy();
    client.destroy();
  });

  it('prices a new item and each index it enters', async () => {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'INV#1',
          sk: 'INVITATION',
          status: 'scheduled',
          [INDEX.outbox.pk]: 'DUE#0',
          [INDEX.outbox.sk]: '2026-11-23T10:00:00.000Z#1',
          [INDEX.byDay.pk]: '2026-11-23#0',
          [INDEX.byDay.sk]: '2026-11-23T10:00:00.000Z#1',
        },
      }),
    );
    expect(last()).toMatchObject({
      operation: 'PutItem',
      writeUnits: 3,
      indexWriteUnits: { outbox: 1, byDay: 1 },
    });
  });

  it('charges a moved index key twice, a changed projection once, an untouched index nothing', async () => {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'INV#1', sk: 'INVITATION' },
        UpdateExpression: 'SET #status = :s, #opk = :q',
        ExpressionAttributeNames: { '#status': 'status', '#opk': INDEX.outbox.pk },
        ExpressionAttributeValues: { ':s': 'sending', ':q': 'LEASE#0' },
      }),
    );
    expect(last()).toMatchObject({ writeUnits: 4, indexWriteUnits: { outbox: 2, byDay: 1 } });

    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'INV#1', sk: 'INVITATION' },
        UpdateExpression: 'SET messageId = :m',
        ExpressionAttributeValues: { ':m': 'not projected anywhere' },
      }),
    );
    expect(last()).toMatchObject({ writeUnits: 1, indexWriteUnits: {} });
  });

  it('charges a failed condition for the item it checked', async () => {
    await expect(
      doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: 'INV#1', sk: 'INVITATION' },
          UpdateExpression: 'SET #status = :s',
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':s': 'sent', ':from': 'scheduled' },
        }),
      ),
    ).rejects.toThrow(/conditional/i);
    expect(last()).toMatchObject({ writeUnits: 1, indexWriteUnits: {} });
  });

  it('rounds writes up per KB, reads per 4 KB, and halves eventually consistent reads', async () => {
    const big = 'x'.repeat(5000);
    await doc.send(new PutCommand({ TableName: tableName, Item: { pk: 'BIG', sk: 'B', big } }));
    expect(last().writeUnits).toBe(5);
    await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'BIG', sk: 'B' }, ConsistentRead: true }),
    );
    expect(last().readUnits).toBe(2);
    await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'BIG', sk: 'B' } }));
    expect(last().readUnits).toBe(1);
    await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: INDEX.outbox.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': INDEX.outbox.pk },
        ExpressionAttributeValues: { ':pk': 'EMPTY#0' },
      }),
    );
    expect(last()).toMatchObject({ operation: 'Query', index: 'outbox', readUnits: 0.5 });
  });

  it("agrees with DynamoDB Local's own count for a table without index keys", async () => {
    const unmetered = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const item = { pk: { S: 'SIZED' }, sk: { S: 'S' }, body: { S: 'y'.repeat(2500) } };
    const reported: ConsumedCapacity | undefined = (
      await unmetered.send(
        new PutItemCommand({ TableName: tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
      )
    ).ConsumedCapacity;
    unmetered.destroy();
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    expect(last().writeUnits).toBe(reported?.CapacityUnits);
  });
});
