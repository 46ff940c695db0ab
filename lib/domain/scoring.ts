/**
 * Metric maths, exactly as shared/metrics.md defines it, computed from a score histogram
 * (`counts[score]` = number of answers with that score). A histogram is a sufficient statistic,
 * so rollups can be re-aggregated over any grouping without losing exactness.
 */
import { SCALES, type Metric } from './metric.js';

/** Two-sided 95 % quantile of the standard normal distribution. */
export const Z95 = 1.959963984540054;
/** Fewer answers than this and a cell is low-n: marked wherever shown, never "significant". */
export const LOW_N = 30;
/** Two-sided significance level of period comparisons. */
export const ALPHA = 0.05;
/**
 * Below this expected count in any cell of the 2 × 2 table, a share comparison uses Fisher's exact
 * test: the normal approximation behind the z test is not to be trusted there (the usual rule).
 */
export const MIN_EXPECTED_COUNT = 5;

/** `wald` is no longer produced (NPS is adjusted-Wald at every n); it stays for stored consumers. */
export type IntervalMethod = 'wald' | 'adjusted-wald' | 'wilson' | 't';

export interface MetricSummary {
  metric: Metric;
  n: number;
  /** NPS in points (−100…100); CSAT top-2-box or CES agree share in percent (0…100). */
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** Half the interval's width, (ciHigh − ciLow) / 2; the interval need not be centred on score. */
  margin: number | null;
  interval: IntervalMethod | null;
  lowN: boolean;
  /** NPS only: NPS' = p' − d' in points, the adjusted estimate the interval is centred on. */
  adjustedScore?: number | null;
  /** CES only: the mean score and its t interval (null below two answers or with no spread). */
  mean?: number | null;
  meanCiLow?: number | null;
  meanCiHigh?: number | null;
}

export function emptyHistogram(): number[] {
  return new Array<number>(11).fill(0);
}

export function addHistograms(a: number[], b: number[]): number[] {
  return a.map((value, i) => value + (b[i] ?? 0));
}

export function countBetween(counts: number[], from: number, to: number): number {
  let total = 0;
  for (let s = from; s <= to; s++) total += counts[s] ?? 0;
  return total;
}

function answersOf(metric: Metric, counts: number[]): number {
  const { min, max } = SCALES[metric];
  return countBetween(counts, min, max);
}

/** Answers counted as the "good" share: NPS promoters, CSAT 4–5, CES 5–7. */
export function agreeing(metric: Metric, counts: number[]): number {
  if (metric === 'nps') return countBetween(counts, 9, 10);
  return metric === 'csat' ? countBetween(counts, 4, 5) : countBetween(counts, 5, 7);
}

/**
 * A histogram's answers, and those in the metric's good and bad groups: NPS promoters and
 * detractors; CSAT and CES the agreeing share and the rest (what a sample size is computed from).
 */
export function goodAndBad(metric: Metric, counts: number[]) {
  const n = answersOf(metric, counts);
  const good = agreeing(metric, counts);
  return { n, good, bad: metric === 'nps' ? countBetween(counts, 0, 6) : n - good };
}

export function summarize(metric: Metric, counts: number[]): MetricSummary {
  const { min, max } = SCALES[metric];
  const n = answersOf(metric, counts);
  const base = { metric, n, lowN: n < LOW_N };
  if (n === 0) {
    return {
      ...base,
      score: null,
      ciLow: null,
      ciHigh: null,
      margin: null,
      interval: null,
      ...(metric === 'nps' ? { adjustedScore: null } : {}),
      ...(metric === 'ces' ? { mean: null, meanCiLow: null, meanCiHigh: null } : {}),
    };
  }
  if (metric === 'nps') {
    return { ...base, ...npsInterval(agreeing(metric, counts), countBetween(counts, 0, 6), n) };
  }
  const share = wilson(agreeing(metric, counts), n);
  if (metric === 'csat') return { ...base, ...share };
  return { ...base, ...share, ...meanInterval(counts, min, max, n) };
}

/**
 * The adjusted-Wald estimate (Sauro & Lewis; Rocks 2016): ¾ of a pseudo-answer added to promoters
 * and to detractors, 3 to n. Used at every n, for the interval and for period comparisons, so the
 * width never jumps at some n and a period of identical answers still has a variance.
 */
export function adjustedNps(promoters: number, detractors: number, n: number) {
  const adjustedN = n + 3;
  const p = (promoters + 0.75) / adjustedN;
  const d = (detractors + 0.75) / adjustedN;
  /** NPS' as a fraction (−1…1) and its variance. */
  return { estimate: p - d, variance: (p + d - (p - d) ** 2) / adjustedN };
}

/** NPS in points, with the adjusted-Wald 95 % interval centred on NPS', clipped to ±100. */
export function npsInterval(promoters: number, detractors: number, n: number) {
  const { estimate, variance } = adjustedNps(promoters, detractors, n);
  const half = Z95 * Math.sqrt(variance);
  const ciLow = Math.max(-1, estimate - half) * 100;
  const ciHigh = Math.min(1, estimate + half) * 100;
  return {
    score: ((promoters - detractors) / n) * 100,
    adjustedScore: estimate * 100,
    ciLow,
    ciHigh,
    margin: (ciHigh - ciLow) / 2,
    interval: 'adjusted-wald' as IntervalMethod,
  };
}

/** A share in percent with its Wilson score interval (never of zero width, always within 0…100). */
export function wilson(successes: number, n: number) {
  const p = successes / n;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  const ciLow = Math.max(0, centre - half) * 100;
  const ciHigh = Math.min(1, centre + half) * 100;
  return {
    score: p * 100,
    ciLow,
    ciHigh,
    margin: (ciHigh - ciLow) / 2,
    interval: 'wilson' as IntervalMethod,
  };
}

/**
 * The mean score with its t interval (n − 1 degrees of freedom), clipped to the scale. With fewer
 * than two answers, or answers that are all the same, the t interval would have zero width (it
 * cannot know the spread): the bounds are then null rather than a falsely certain [m, m].
 */
export function meanInterval(counts: number[], min: number, max: number, n: number) {
  let sum = 0;
  for (let s = min; s <= max; s++) sum += s * (counts[s] ?? 0);
  const mean = sum / n;
  if (n < 2) return { mean, meanCiLow: null, meanCiHigh: null };
  let squares = 0;
  for (let s = min; s <= max; s++) squares += (counts[s] ?? 0) * (s - mean) ** 2;
  if (squares === 0) return { mean, meanCiLow: null, meanCiHigh: null };
  const sd = Math.sqrt(squares / (n - 1));
  const half = studentT975(n - 1) * (sd / Math.sqrt(n));
  return { mean, meanCiLow: Math.max(min, mean - half), meanCiHigh: Math.min(max, mean + half) };
}

/** Two-sided 95 % quantile of Student's t (exact table to 30 degrees of freedom, then Cornish–Fisher). */
export function studentT975(df: number): number {
  const table = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16,
    2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052,
    2.048, 2.045, 2.042,
  ];
  if (df <= 30) return table[Math.max(1, Math.round(df)) - 1]!;
  const z = Z95;
  return (
    z +
    (z ** 3 + z) / (4 * df) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) +
    (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3)
  );
}

/** The test behind a period comparison (see README, "Changes between periods"). */
export type ComparisonTest = 'adjusted-wald-z' | 'two-proportion-z' | 'fisher-exact';
