/** The shape of test/bench/results.json. */
import type { AnswerEndpointResult } from './answer-endpoint.js';
import type { ColdStartResult } from './cold-start.js';
import type { CostResult } from './cost.js';
import type { DashboardBenchResult } from './dashboard.js';
import type { DispatchRateResult } from './dispatch-rate.js';
import type { FloodResult } from './flood.js';
import type { IntakeBurstResult } from './intake-burst.js';
import type { LatencyResult } from './latency.js';
import type { RollupScaleResult } from './rollup-scale.js';
import type { SurveyLifeResult } from './survey-life.js';

/** The benchmark's sections, as BENCH_ONLY names them. */
export const BENCH_SECTIONS = [
  'life',
  'cold',
  'web',
  'flood',
  'dashboard',
  'latency',
  'intake',
  'dispatch',
  'rollup',
] as const;

export interface BenchResults {
  measuredAt: string;
  /** The day each section was last measured (a BENCH_ONLY run re-measures some only). */
  measuredOn?: Partial<Record<(typeof BENCH_SECTIONS)[number], string>>;
  /** How long the whole run took. */
  seconds: number;
  machine: { cpus: number; memoryGiB: number; node: string };
  surveyLife?: SurveyLifeResult;
  cost?: CostResult;
  coldStart?: ColdStartResult;
  intakeBurst?: IntakeBurstResult;
  dispatchRate?: DispatchRateResult;
  answerEndpoint?: AnswerEndpointResult;
  flood?: FloodResult;
  latency?: LatencyResult;
  rollupScale?: RollupScaleResult[];
  dashboard?: DashboardBenchResult;
}
