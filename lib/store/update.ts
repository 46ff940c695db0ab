/**
 * The one way the stores build an UpdateItem: attribute names and values go through placeholders
 * (no reserved-word surprises, no value in an expression string), and a failed condition is an
 * outcome the caller names, not an exception it has to recognise.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

export interface Change {
  /** Attributes set to a value: `name = value`. */
  set?: Record<string, unknown>;
  /** Expressions a plain value cannot say (`if_not_exists`, `list_append`), in the caller's placeholders. */
  setExpressions?: string[];
  /** Attributes removed. */
  remove?: string[];
  /** The condition, in the caller's placeholders (`names`, `values`). */
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

type Expressions = Pick<
  UpdateCommandInput,
  | 'UpdateExpression'
  | 'ConditionExpression'
  | 'ExpressionAttributeNames'
  | 'ExpressionAttributeValues'
>;

/** The update's expressions; the builder's own placeholders (`#s0`, `:s0`, `#r0`) never clash. */
export function expressionsOf(change: Change): Expressions {
  const names: Record<string, string> = { ...change.names };
  const values: Record<string, unknown> = { ...change.values };
  const sets = Object.entries(change.set ?? {}).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  sets.push(...(change.setExpressions ?? []));
  const removes = (change.remove ?? []).map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  const clauses = [
    ...(sets.length ? [`SET ${sets.join(', ')}`] : []),
    ...(removes.length ? [`REMOVE ${removes.join(', ')}`] : []),
  ];
  if (!clauses.length) throw new Error('an update must set or remove something');
  return {
    UpdateExpression: clauses.join(' '),
    ...(change.condition ? { ConditionExpression: change.condition } : {}),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

export type UpdateOutcome =
  | { updated: true; item: Record<string, unknown> | undefined }
  /** The condition failed; `current` is the item as it is (when there is one). */
  | { updated: false; current: Record<string, unknown> | undefined };

/**
 * Applies `change` to the item at `key`. Returns the new item (when `returnNew`), or, when the
 * condition failed, the item as it stands, read in the same request.
 */
export async function updateItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, unknown>,
  change: Change,
  { returnNew = false }: { returnNew?: boolean } = {},
): Promise<UpdateOutcome> {
  try {
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        ...expressionsOf(change),
        ...(returnNew ? { ReturnValues: 'ALL_NEW' as const } : {}),
        ...(change.condition ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
      }),
    );
    return { updated: true, item: Attributes };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return { updated: false, current: error.Item ? unmarshall(error.Item) : undefined };
  }
}

/**
 * An item was not in the state a write required, where that means a bug or a race the caller
 * cannot resolve by reading again (a claimed survey that is no longer being sent).
 */
export class StateConflictError extends Error {
  override name = 'StateConflictError';
  constructor(
    readonly entity: string,
    readonly id: string,
    readonly expected: string,
  ) {
    super(`${entity} ${id} is no longer ${expected}`);
  }
}
