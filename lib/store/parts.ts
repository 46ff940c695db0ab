/**
 * Stores that only some functions reach register their factory when their module loads, so the
 * runtime, which every function imports, does not carry them into every bundle (the counters:
 * the count and rollup functions only). A use case that reaches one imports its module.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Factory<T> = (doc: DynamoDBDocumentClient, tableName: string, dynamodb: DynamoDBClient) => T;

const factories = new Map<string, Factory<unknown>>();

export function registerStore<T>(name: string, factory: Factory<T>): void {
  factories.set(name, factory);
}

export function storeFactory<T>(name: string): Factory<T> {
  const factory = factories.get(name);
  if (!factory) {
    throw new Error(
      `the ${name} store is not loaded: import lib/store/${name}.js in the use case that reaches it`,
    );
  }
  return factory as Factory<T>;
}
