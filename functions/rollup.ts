/** Lambda: nightly (EventBridge Scheduler, in the configured time zone) → recompute recent days. */
import { runtimeFromEnv, type Runtime } from '../lib/runtime.js';
import { rollup } from '../lib/usecases/rollup.js';

export function createRollupHandler(rt: Runtime, clock: () => Date = () => new Date()) {
  return (event: { days?: number; lastDay?: string } = {}) =>
    rollup(rt, { now: clock(), days: event.days, lastDay: event.lastDay });
}

export const handler = (event?: { days?: number; lastDay?: string }) =>
  createRollupHandler(runtimeFromEnv())(event);
