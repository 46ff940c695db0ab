/**
 * Fault injection into a real SDK client: a middleware that fails the calls a predicate picks,
 * while every other call goes to the real component (DynamoDB Local, the SES emulator).
 */
import type { MiddlewareStack } from '@smithy/types';

// Any SDK v3 client: only its middleware stack is touched.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMiddlewareStack = MiddlewareStack<any, any>;

export interface Fault {
  /** How many calls it failed so far. */
  readonly injected: number;
  /** Stops failing calls (the middleware stays, inert). */
  stop(): void;
}

/**
 * Fails the calls for which `picks(commandName, input)` is true, `times` times (Infinity: until
 * stopped), with `error`. The input is the marshalled request (DynamoDB's `{ S: … }` values).
 */
export function injectFault(
  client: { middlewareStack: AnyMiddlewareStack },
  picks: (commandName: string, input: Record<string, unknown>) => boolean,
  error: () => Error,
  times = 1,
): Fault {
  let injected = 0;
  let stopped = false;
  const name = `fault-${Math.random().toString(36).slice(2)}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = String((context as { commandName?: string }).commandName ?? '');
      if (
        !stopped &&
        injected < times &&
        picks(commandName, args.input as Record<string, unknown>)
      ) {
        injected += 1;
        throw error();
      }
      return next(args);
    },
    { step: 'build', name },
  );
  return {
    get injected() {
      return injected;
    },
    stop() {
      stopped = true;
    },
  };
}

/** A DynamoDB service error as the SDK raises it (a 5xx: the write's outcome is unknown). */
export function dynamoDbError(name = 'InternalServerError'): Error {
  return Object.assign(new Error(`injected ${name}`), {
    name,
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}

/** Whether a marshalled UpdateItem input moves the invitation to `status`. */
export function setsStatus(input: Record<string, unknown>, status: string): boolean {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, { S?: string }>;
  const expression = typeof input.UpdateExpression === 'string' ? input.UpdateExpression : '';
  return Object.entries(names).some(
    ([placeholder, attribute]) =>
      attribute === 'status' &&
      [...expression.matchAll(new RegExp(`${placeholder} = (:\\w+)`, 'g'))].some(
        (match) => values[match[1]!]?.S === status,
      ),
  );
}
