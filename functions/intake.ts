/** Lambda: EventBridge rule "Interaction Completed" → intake. Invalid events throw (→ retries, then the DLQ). */
import type { EventBridgeEvent } from '../lib/contracts/interaction.js';
import { dependenciesFromEnv, type Need } from '../lib/runtime-env.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';
import { createIntakeHandler, INTAKE_HANDLER_USES } from '../lib/handlers/intake.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent'];

export const handler = async (event: EventBridgeEvent, context?: InvocationContext) => {
  logInvocation(context);
  return createIntakeHandler(await dependenciesFromEnv(NEEDS, INTAKE_HANDLER_USES))(event);
};
