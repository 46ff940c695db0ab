/**
 * The `intake` function's handler, given its runtime (functions/intake.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import type { EventBridgeEvent } from '../contracts/interaction.js';
import { inFunction } from '../adapters/function-scope.js';
import type { Runtime } from '../runtime.js';
import { intake } from '../usecases/intake.js';

export function createIntakeHandler(rt: Runtime, clock: () => Date = () => new Date()) {
  return (event: EventBridgeEvent) => inFunction('intake', () => intake(rt, event, clock()));
}
