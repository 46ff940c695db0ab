/**
 * Lambda: nightly (EventBridge Scheduler, in the configured time zone) → recompute recent days,
 * publish yesterday's headline metrics (EMF) and send the digest to the CX leads.
 */
import { inFunction } from '../lib/adapters/function-scope.js';
import { emitMetrics, type MetricUnit } from '../lib/adapters/metrics.js';
import type { ReportRow } from '../lib/contracts/report.js';
import { addDays, dayOf } from '../lib/domain/time.js';
import { runtimeFromEnv, type Need, type Runtime } from '../lib/runtime.js';
import { sendDigest } from '../lib/usecases/digest.js';
import { report } from '../lib/usecases/report.js';
import { rollup } from '../lib/usecases/rollup.js';
import { logInvocation, type InvocationContext } from '../lib/adapters/log.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = [];

export interface RollupRequest {
  days?: number;
  lastDay?: string;
}

/**
 * A day's headline datapoints. A day without answers has no score: a 0 would be a score (a very
 * bad NPS), so no `Score` datapoint is written and the CloudWatch graph shows a gap.
 */
export function headlineMetrics(
  row: Pick<ReportRow, 'score' | 'n' | 'invited'>,
): Record<string, { value: number; unit: MetricUnit }> {
  return {
    ...(row.score === null ? {} : { Score: { value: row.score, unit: 'None' as const } }),
    Responses: { value: row.n, unit: 'Count' },
    Invited: { value: row.invited, unit: 'Count' },
  };
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
      emitMetrics(headlineMetrics(row), { Touchpoint: row.touchpoint, Metric: row.metric });
    }
    const digests = await sendDigest(rt, { now, dashboardUrl: options.dashboardUrl });
    return { ...result, digests };
  }
}

export const handler = async (request?: RollupRequest, context?: InvocationContext) => {
  logInvocation(context);
  return createRollupHandler(await runtimeFromEnv(NEEDS), {
    dashboardUrl: process.env.DASHBOARD_URL,
  })(request);
};
