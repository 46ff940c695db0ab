/**
 * Lambda: `Customer Erasure Requested` → the customer scrubbed from every item that names them,
 * `Customer Erased` on the bus. EventBridge retries a failed run (then dead-letters it); each run
 * finishes what an earlier one started.
 */
import { inFunction } from '../lib/adapters/function-scope.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { runtimeFromEnv, type Need, type Runtime } from '../lib/runtime.js';
import { eraseCustomer, erasureRequestOf } from '../lib/usecases/erasure.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent', 'eventBus'];

export function createErasureHandler(rt: Runtime, clock: () => Date = () => new Date()) {
  return (event: { detail: unknown }) =>
    inFunction('erasure', async () => eraseCustomer(rt, erasureRequestOf(event.detail), clock()));
}

export const handler = async (event: { detail: unknown }, context?: InvocationContext) => {
  logInvocation(context);
  return createErasureHandler(await runtimeFromEnv(NEEDS))(event);
};
