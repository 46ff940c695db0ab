/**
 * The `erasure` function's handler, given its runtime (functions/erasure.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { eraseCustomer, erasureRequestOf, ERASURE_USES } from '../usecases/erasure.js';

/** What erasure reaches of the runtime: its functions are built with these and no more. */
export const ERASURE_HANDLER_USES = [...ERASURE_USES] as const satisfies readonly RuntimePart[];
export type ErasureHandlerDeps = Needs<typeof ERASURE_HANDLER_USES>;

export function createErasureHandler(rt: ErasureHandlerDeps, clock: () => Date = () => new Date()) {
  return (event: { detail: unknown }) =>
    inFunction('erasure', async () => eraseCustomer(rt, erasureRequestOf(event.detail), clock()));
}
