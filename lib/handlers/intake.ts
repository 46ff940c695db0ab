/**
 * The `intake` function's handler, given its runtime (functions/intake.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import type { EventBridgeEvent } from '../contracts/interaction.js';
import { inFunction } from '../adapters/function-scope.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { intake, INTAKE_USES } from '../usecases/intake.js';

/** What intake reaches of the runtime: its functions are built with these and no more. */
export const INTAKE_HANDLER_USES = [...INTAKE_USES] as const satisfies readonly RuntimePart[];
export type IntakeHandlerDeps = Needs<typeof INTAKE_HANDLER_USES>;

export function createIntakeHandler(rt: IntakeHandlerDeps, clock: () => Date = () => new Date()) {
  return (event: EventBridgeEvent) => inFunction('intake', () => intake(rt, event, clock()));
}
