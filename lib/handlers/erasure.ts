/**
 * The `erasure` function's handler, given its runtime (functions/erasure.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import type { Runtime } from '../runtime.js';
import { eraseCustomer, erasureRequestOf } from '../usecases/erasure.js';

export function createErasureHandler(rt: Runtime, clock: () => Date = () => new Date()) {
  return (event: { detail: unknown }) =>
    inFunction('erasure', async () => eraseCustomer(rt, erasureRequestOf(event.detail), clock()));
}
