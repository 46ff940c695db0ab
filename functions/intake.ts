/** Lambda: EventBridge rule "Interaction Completed" → intake. Invalid events throw (→ retries, then the DLQ). */
import type { EventBridgeEvent } from '../lib/contracts/interaction.js';
import { runtimeFromEnv, type Need } from '../lib/runtime-env.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { createIntakeHandler } from '../lib/handlers/intake.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent'];

export const handler = async (event: EventBridgeEvent, context?: InvocationContext) => {
  logInvocation(context);
  return createIntakeHandler(await runtimeFromEnv(NEEDS))(event);
};
