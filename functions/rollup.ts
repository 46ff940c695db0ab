/**
 * Lambda: nightly (EventBridge Scheduler, in the configured time zone) → recompute recent days,
 * publish yesterday's headline metrics (EMF) and send the digest to the CX leads.
 */
import { inFunction } from '../lib/adapters/function-scope.js';
import { emitMetrics } from '../lib/adapters/metrics.js';
import { addDays, dayOf } from '../lib/domain/time.js';
import { runtimeFromEnv, type Need, type Runtime } from '../lib/runtime.js';
import { sendDigest } from '../lib/usecases/digest.js';
import { report } from '../lib/usecases/report.js';
import { rollup } from '../lib/usecases/rollup.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = [];

export interface RollupRequest {
  days?: number;
  lastDay?: string;
}

export function createRollupHandler(
  rt: Runtime,
  options: { dashboardUrl?: string } = {},
  clock: () => Date = () => new Date(),
) {
  return (request: RollupRequest = {}) => inFunction('rollup', () => nightly(request));

  async function nightly(request: RollupRequest) {
    const now = clock();
    const result = await rollup(rt, { now, days: request.days, lastDay: request.lastDay });
    const yesterday = addDays(dayOf(now, rt.config.timeZone), -1);
    for (const row of await report(rt, { from: yesterday, to: yesterday, by: ['touchpoint'] })) {
      if (!row.metric) continue;
      emitMetrics(
        {
          Score: { value: row.score ?? 0, unit: 'Count' },
          Responses: { value: row.n, unit: 'Count' },
          Invited: { value: row.invited, unit: 'Count' },
        },
        { Touchpoint: row.touchpoint, Metric: row.metric },
      );
    }
    const digests = await sendDigest(rt, { now, dashboardUrl: options.dashboardUrl });
    return { ...result, digests };
  }
}

export const handler = async (request?: RollupRequest) =>
  createRollupHandler(await runtimeFromEnv(NEEDS), { dashboardUrl: process.env.DASHBOARD_URL })(
    request,
  );
