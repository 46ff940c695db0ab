/**
 * A DynamoDB client middleware that records every operation and what it would cost on AWS, in
 * request units computed by AWS's own rules from the real item sizes (DynamoDB developer guide:
 * "Item sizes and formats", "Read/write capacity unit consumption", "Global secondary indexes:
 * writes"). DynamoDB Local does not price index writes, so the meter reads the item before and
 * after each write through a second, unmetered client and prices the table and every index:
 *
 * - writes: 1 unit per started KB of the larger of the item before and after (a failed condition
 *   still pays for the item it checked); per index, a new entry is a put, a lost one a delete, a
 *   changed index key a delete and a put, a changed projected attribute one write;
 * - reads: 1 unit per started 4 KB, half for eventually consistent reads (indexes always are);
 *   a Query or Scan pays for the summed size of every item it evaluates, before filters and
 *   projections, so the meter re-reads the same page without them;
 * - transactions: twice the units.
 *
 * Benchmarks only: the shadow reads slow every call and race concurrent writers to one item.
 */
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type QueryCommandInput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type ScanCommandInput,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { BuildMiddleware } from '@smithy/types';
import { isDeepStrictEqual } from 'node:util';

export type Item = Record<string, AttributeValue>;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** A number's stored size: 1 byte per two significant digits, plus 1. */
export function numberSize(text: string): number {
  const mantissa = text.replace(/^[+-]/, '').replace(/[eE].*$/, '');
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + b.length, 0);
  // Lists and maps: 3 bytes, plus 1 byte per element (and a map's keys, like attribute names).
  if (value.L) return value.L.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  if (value.M) {
    return Object.entries(value.M).reduce(
      (sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element),
      3,
    );
  }
  throw new Error(`unknown attribute value ${JSON.stringify(value)}`);
}

/** An item's size: every attribute's name in UTF-8 bytes plus its value's size. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + utf8(name) + valueSize(value),
    0,
  );
}

export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
export const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

export interface MeteredOperation {
  stage: string;
  operation: string;
  table: string;
  /** The index a Query or Scan read. */
  index?: string;
  readUnits: number;
  writeUnits: number;
  /** Of `writeUnits`, what each global secondary index cost. */
  indexWriteUnits: Record<string, number>;
}

interface Schema {
  key: string[];
  indexes: { name: string; key: string[]; project: (item: Item) => Item }[];
}

export class RequestUnitMeter {
  readonly operations: MeteredOperation[] = [];
  /** Labels the operations recorded from now on (the flows run one stage at a time). */
  stage = 'unlabelled';
  private readonly shadow: DynamoDBClient;
  private readonly schemas = new Map<string, Promise<Schema>>();

  constructor(endpoint: string) {
    this.shadow = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'meter', secretAccessKey: 'meter' },
    });
  }

  /** Adds the meter to a client (and so to every DynamoDBDocumentClient made from it). */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(this.middleware(), { step: 'build', name: 'requestUnitMeter' });
  }

  destroy(): void {
    this.shadow.destroy();
  }

  /** Totals per stage, and over everything. */
  totals(): Record<string, { readUnits: number; writeUnits: number; operations: number }> {
    const totals: Record<string, { readUnits: number; writeUnits: number; operations: number }> =
      {};
    for (const op of this.operations) {
      for (const stage of [op.stage, 'total']) {
        const sum = (totals[stage] ??= { readUnits: 0, writeUnits: 0, operations: 0 });
        sum.readUnits += op.readUnits;
        sum.writeUnits += op.writeUnits;
        sum.operations += 1;
      }
    }
    return totals;
  }

  private middleware(): BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> {
    return (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as unknown as Record<string, unknown>;
      const meter = this.meterFor(operation, input);
      if (!meter) return next(args);
      const before = await meter.before();
      try {
        const result = await next(args);
        await meter.after(before, true);
        return result;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException')
          await meter.after(before, false);
        throw error;
      }
    };
  }

  private meterFor(
    operation: string,
    input: Record<string, unknown>,
  ):
    | { before(): Promise<unknown>; after(before: unknown, succeeded: boolean): Promise<void> }
    | undefined {
    switch (operation) {
      case 'GetItem': {
        const { TableName, Key, ConsistentRead } = input as {
          TableName: string;
          Key: Item;
          ConsistentRead?: boolean;
        };
        return {
          before: () => Promise.resolve(undefined),
          after: async () => {
            const item = await this.read(TableName, Key);
            this.record(
              operation,
              TableName,
              readUnits(item ? itemSize(item) : 0, !!ConsistentRead),
              0,
            );
          },
        };
      }
      case 'BatchGetItem': {
        const requests = input.RequestItems as Record<
          string,
          { Keys: Item[]; ConsistentRead?: boolean }
        >;
        return {
          before: () => Promise.resolve(undefined),
          after: async () => {
            for (const [table, { Keys, ConsistentRead }] of Object.entries(requests)) {
              for (const key of Keys) {
                const item = await this.read(table, key);
                this.record(
                  operation,
                  table,
                  readUnits(item ? itemSize(item) : 0, !!ConsistentRead),
                  0,
                );
              }
            }
          },
        };
      }
      case 'Query':
      case 'Scan': {
        const request = input as unknown as QueryCommandInput & ScanCommandInput;
        return {
          before: () => Promise.resolve(undefined),
          after: async () => {
            const bytes = await this.evaluatedBytes(operation, request);
            const consistent = !request.IndexName && !!request.ConsistentRead;
            this.record(
              operation,
              request.TableName!,
              readUnits(bytes, consistent),
              0,
              request.IndexName,
            );
          },
        };
      }
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem': {
        const table = input.TableName as string;
        const key = (input.Key ?? undefined) as Item | undefined;
        return this.writeMeter(
          operation,
          [{ table, key, item: input.Item as Item | undefined }],
          1,
        );
      }
      case 'BatchWriteItem': {
        const requests = input.RequestItems as Record<
          string,
          { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]
        >;
        const writes = Object.entries(requests).flatMap(([table, list]) =>
          list.map((request) => ({
            table,
            key: request.DeleteRequest?.Key,
            item: request.PutRequest?.Item,
          })),
        );
        return this.writeMeter(operation, writes, 1);
      }
      case 'TransactWriteItems': {
        const items = input.TransactItems as Record<
          string,
          { TableName: string; Key?: Item; Item?: Item }
        >[];
        const writes = items.flatMap((entry) =>
          Object.entries(entry)
            .filter(([kind]) => kind !== 'ConditionCheck')
            .map(([, request]) => ({
              table: request.TableName,
              key: request.Key,
              item: request.Item,
            })),
        );
        return this.writeMeter(operation, writes, 2);
      }
      default:
        return undefined; // control-plane calls (DescribeTable, CreateTable…) cost no request units
    }
  }

  private writeMeter(
    operation: string,
    writes: { table: string; key?: Item | undefined; item?: Item | undefined }[],
    multiplier: number,
  ) {
    return {
      before: async () =>
        Promise.all(
          writes.map(async (write) => {
            const schema = await this.schema(write.table);
            const key = write.key ?? pick(write.item!, schema.key);
            return { ...write, key, schema, old: await this.read(write.table, key) };
          }),
        ),
      after: async (before: unknown, succeeded: boolean) => {
        for (const write of before as {
          table: string;
          key: Item;
          schema: Schema;
          old: Item | undefined;
        }[]) {
          const oldSize = write.old ? itemSize(write.old) : 0;
          if (!succeeded) {
            this.record(operation, write.table, 0, writeUnits(oldSize) * multiplier);
            continue;
          }
          const next = await this.read(write.table, write.key);
          const newSize = next ? itemSize(next) : 0;
          const indexWriteUnits: Record<string, number> = {};
          for (const index of write.schema.indexes) {
            const units = indexWrite(index, write.old, next);
            if (units) indexWriteUnits[index.name] = units * multiplier;
          }
          const units =
            writeUnits(Math.max(oldSize, newSize)) * multiplier +
            Object.values(indexWriteUnits).reduce((sum, n) => sum + n, 0);
          this.record(operation, write.table, 0, units, undefined, indexWriteUnits);
        }
      },
    };
  }

  private record(
    operation: string,
    table: string,
    readUnitsUsed: number,
    writeUnitsUsed: number,
    index?: string,
    indexWriteUnits: Record<string, number> = {},
  ) {
    this.operations.push({
      stage: this.stage,
      operation,
      table,
      ...(index ? { index } : {}),
      readUnits: readUnitsUsed,
      writeUnits: writeUnitsUsed,
      indexWriteUnits,
    });
  }

  private async read(table: string, key: Item): Promise<Item | undefined> {
    const { Item } = await this.shadow.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  /** The bytes a Query or Scan page evaluated: the same page read again, unfiltered and whole. */
  private async evaluatedBytes(
    operation: 'Query' | 'Scan',
    request: QueryCommandInput & ScanCommandInput,
  ): Promise<number> {
    const keyCondition = request.KeyConditionExpression ?? '';
    const used = (names: Record<string, unknown> | undefined) => {
      const kept = Object.fromEntries(
        Object.entries(names ?? {}).filter(([token]) =>
          new RegExp(`${token}(?![A-Za-z0-9_])`).test(keyCondition),
        ),
      );
      return Object.keys(kept).length ? kept : undefined;
    };
    const whole = {
      TableName: request.TableName,
      IndexName: request.IndexName,
      KeyConditionExpression: request.KeyConditionExpression,
      ExpressionAttributeNames: used(request.ExpressionAttributeNames) as Record<string, string>,
      ExpressionAttributeValues: used(request.ExpressionAttributeValues) as Item,
      ExclusiveStartKey: request.ExclusiveStartKey,
      Limit: request.Limit,
      ScanIndexForward: request.ScanIndexForward,
      Segment: request.Segment,
      TotalSegments: request.TotalSegments,
    };
    const page =
      operation === 'Query'
        ? await this.shadow.send(new QueryCommand(whole))
        : await this.shadow.send(new ScanCommand(whole));
    return (page.Items ?? []).reduce((sum, item) => sum + itemSize(item), 0);
  }

  private schema(table: string): Promise<Schema> {
    let schema = this.schemas.get(table);
    if (!schema) {
      schema = this.shadow
        .send(new DescribeTableCommand({ TableName: table }))
        .then(({ Table }) => schemaOf(Table!));
      this.schemas.set(table, schema);
    }
    return schema;
  }
}

function schemaOf(table: TableDescription): Schema {
  const key = (table.KeySchema ?? []).map((k) => k.AttributeName!);
  return {
    key,
    indexes: (table.GlobalSecondaryIndexes ?? []).map((index) => {
      const indexKey = (index.KeySchema ?? []).map((k) => k.AttributeName!);
      const projection = index.Projection ?? {};
      const project = (item: Item): Item =>
        projection.ProjectionType === 'ALL'
          ? item
          : pick(item, [...new Set([...key, ...indexKey, ...(projection.NonKeyAttributes ?? [])])]);
      return { name: index.IndexName!, key: indexKey, project };
    }),
  };
}

function pick(item: Item, names: string[]): Item {
  return Object.fromEntries(names.filter((name) => item[name]).map((name) => [name, item[name]!]));
}

/** Write units an index pays for an item going from `before` to `after` (either may be absent). */
export function indexWrite(
  index: { key: string[]; project: (item: Item) => Item },
  before: Item | undefined,
  after: Item | undefined,
): number {
  const inIndex = (item: Item | undefined) => !!item && index.key.every((name) => item[name]);
  const old = inIndex(before) ? index.project(before!) : undefined;
  const next = inIndex(after) ? index.project(after!) : undefined;
  if (!old && !next) return 0;
  if (!old) return writeUnits(itemSize(next!));
  if (!next) return writeUnits(itemSize(old));
  const keyChanged = index.key.some((name) => !isDeepStrictEqual(old[name], next[name]));
  if (keyChanged) return writeUnits(itemSize(old)) + writeUnits(itemSize(next));
  if (isDeepStrictEqual(old, next)) return 0;
  return writeUnits(Math.max(itemSize(old), itemSize(next)));
}

/** Per stage, per operation (and index): how many calls and units, divided by `per`. */
export function breakdown(
  operations: MeteredOperation[],
  per: number,
): Record<string, Record<string, { calls: number; readUnits: number; writeUnits: number }>> {
  const result: Record<
    string,
    Record<string, { calls: number; readUnits: number; writeUnits: number }>
  > = {};
  for (const op of operations) {
    const name = op.index ? `${op.operation} ${op.index}` : op.operation;
    const entry = ((result[op.stage] ??= {})[name] ??= { calls: 0, readUnits: 0, writeUnits: 0 });
    entry.calls += 1 / per;
    entry.readUnits += op.readUnits / per;
    entry.writeUnits += op.writeUnits / per;
  }
  return result;
}
