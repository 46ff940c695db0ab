/** Lambda: EventBridge rule "Interaction Completed" → intake. Invalid events throw (→ retries, then the DLQ). */
import type { EventBridgeEvent } from '../lib/contracts/interaction.js';
import { inFunction } from '../lib/adapters/function-scope.js';
import { runtimeFromEnv, type Need, type Runtime } from '../lib/runtime.js';
import { intake } from '../lib/usecases/intake.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['consent'];

export function createIntakeHandler(rt: Runtime, clock: () => Date = () => new Date()) {
  return (event: EventBridgeEvent) => inFunction('intake', () => intake(rt, event, clock()));
}

export const handler = async (event: EventBridgeEvent, context?: InvocationContext) => {
  logInvocation(context);
  return createIntakeHandler(await runtimeFromEnv(NEEDS))(event);
};
