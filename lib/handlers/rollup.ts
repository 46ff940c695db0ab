/**
 * The `rollup` function's handler, given its runtime (functions/rollup.ts builds that from the
 * environment; the local stack and the tests give their own).
 */
import { inFunction } from '../adapters/function-scope.js';
import { log } from '../adapters/log.js';
import { emitMetrics, type MetricUnit } from '../adapters/metrics.js';
import type { ReportRow } from '../contracts/report.js';
import { addDays, dayOf } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { sendDigest, DIGEST_USES } from '../usecases/digest.js';
import { report, REPORT_USES } from '../usecases/report.js';
import { rollup, ROLLUP_USES } from '../usecases/rollup.js';

/** What rollup reaches of the runtime: its functions are built with these and no more. */
export const ROLLUP_HANDLER_USES = [
  ...DIGEST_USES,
  ...REPORT_USES,
  ...ROLLUP_USES,
  'config',
  'legacyShapes',
] as const satisfies readonly RuntimePart[];
export type RollupHandlerDeps = Needs<typeof ROLLUP_HANDLER_USES>;

export interface RollupRequest {
  days?: number;
  lastDay?: string;
  /**
   * Recompute from the invitations (the day indexes) instead of the counters: invoke the function
   * with `{"fromItems": true}` to check the counters, or to write rows around counts they lost.
   */
  fromItems?: boolean;
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
  rt: RollupHandlerDeps,
  options: { dashboardUrl?: string } = {},
  clock: () => Date = () => new Date(),
) {
  return (request: RollupRequest = {}) => inFunction('rollup', () => nightly(request));

  async function nightly(request: RollupRequest) {
    const now = clock();
    const result = await rollup(rt, {
      now,
      days: request.days,
      lastDay: request.lastDay,
      fromItems: request.fromItems === true,
    });
    // A recompute asked for by hand (a check) mails nobody and publishes no datapoint again.
    if (request.fromItems === true) return { ...result, digests: 0, legacyShapes: undefined };
    const yesterday = addDays(dayOf(now, rt.config.timeZone), -1);
    for (const row of await report(rt, { from: yesterday, to: yesterday, by: ['touchpoint'] })) {
      if (!row.metric) continue;
      emitMetrics(headlineMetrics(row), { Touchpoint: row.touchpoint, Metric: row.metric });
    }
    const digests = await sendDigest(rt, { now, dashboardUrl: options.dashboardUrl });
    // Whether intake and dispatch may stop reading the first key shapes (store/legacy-shapes.ts).
    // Its failure costs those reads a while longer, not the night's rows or digest.
    const legacyShapes = await rt.legacyShapes.countIfDue(now).catch((error: unknown) => {
      log.warn('rollup.legacy-count-failed', { error: (error as Error).name });
      return 'failed' as const;
    });
    return { ...result, digests, legacyShapes };
  }
}
