/**
 * Lambda: `Customer Erasure Requested` → the customer scrubbed from every item that names them,
 * `Customer Erased` on the bus. EventBridge retries a failed run (then dead-letters it); each run
 * finishes what an earlier one started.
 */
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { dependenciesFromEnv, type Need } from '../lib/runtime-env.js';
import { createErasureHandler, ERASURE_HANDLER_USES } from '../lib/handlers/erasure.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent', 'eventBus'];

export const handler = async (event: { detail: unknown }, context?: InvocationContext) => {
  logInvocation(context);
  return createErasureHandler(await dependenciesFromEnv(NEEDS, ERASURE_HANDLER_USES))(event);
};
