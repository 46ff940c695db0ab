/** Lambda: nightly (EventBridge Scheduler, in the configured time zone) → recompute recent days. */
import { runtimeFromEnv, type Runtime } from '../lib/runtime.js';
import { rollup } from '../lib/usecases/rollup.js';

export interface RollupRequest {
  days?: number;
  lastDay?: string;
}

export function createRollupHandler(rt: Runtime, clock: () => Date = () => new Date()) {
  return (request: RollupRequest = {}) =>
    rollup(rt, { now: clock(), days: request.days, lastDay: request.lastDay });
}

export const handler = async (request?: RollupRequest) =>
  createRollupHandler(await runtimeFromEnv())(request);
