/** Lambda: EventBridge rule "Interaction Completed" → intake. Invalid events throw (→ retries, then the DLQ). */
import type { EventBridgeEvent } from '../lib/contracts/interaction.js';
import { runtimeFromEnv, type Runtime } from '../lib/runtime.js';
import { intake } from '../lib/usecases/intake.js';

export function createIntakeHandler(rt: Runtime, clock: () => Date = () => new Date()) {
  return (event: EventBridgeEvent) => intake(rt, event, clock());
}

export const handler = async (event: EventBridgeEvent) =>
  createIntakeHandler(await runtimeFromEnv())(event);
