/** Lambda: EventBridge rule "Interaction Completed" → intake. Invalid events throw (→ retries, then the DLQ). */
import type { EventBridgeEvent } from '../lib/contracts/interaction.js';
import { runtimeFromEnv, type Need } from '../lib/runtime.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { createIntakeHandler } from '../lib/handlers/intake.js';

export { createIntakeHandler };

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent'];

export const handler = async (event: EventBridgeEvent, context?: InvocationContext) => {
  logInvocation(context);
  return createIntakeHandler(await runtimeFromEnv(NEEDS))(event);
};
