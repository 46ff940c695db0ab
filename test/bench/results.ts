/** The shape of test/bench/results.json. */
import type { AnswerEndpointResult } from './answer-endpoint.js';
import type { ColdStartResult } from './cold-start.js';
import type { CostResult } from './cost.js';
import type { DashboardBenchResult } from './dashboard.js';
import type { DispatchRateResult } from './dispatch-rate.js';
import type { IntakeBurstResult } from './intake-burst.js';
import type { LatencyResult } from './latency.js';
import type { RollupScaleResult } from './rollup-scale.js';
import type { SurveyLifeResult } from './survey-life.js';

export interface BenchResults {
  measuredAt: string;
  /** How long the whole run took. */
  seconds: number;
  machine: { cpus: number; memoryGiB: number; node: string };
  surveyLife?: SurveyLifeResult;
  cost?: CostResult;
  coldStart?: ColdStartResult;
  intakeBurst?: IntakeBurstResult;
  dispatchRate?: DispatchRateResult;
  answerEndpoint?: AnswerEndpointResult;
  latency?: LatencyResult;
  rollupScale?: RollupScaleResult[];
  dashboard?: DashboardBenchResult;
}
