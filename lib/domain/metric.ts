/** The three survey metrics and their answer scales (see shared metrics.md). */
import * as z from 'zod';

export const Metric = z.enum(['nps', 'csat', 'ces']);
export type Metric = z.infer<typeof Metric>;

export const SCALES: Record<Metric, { min: number; max: number }> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

/**
 * The range of a metric's score (not of an answer): NPS points from -100 to 100, CSAT and CES
 * percent from 0 to 100. Targets, expectations and charts are in these units.
 */
export function scoreRangeOf(metric: Metric): [low: number, high: number] {
  return metric === 'nps' ? [-100, 100] : [0, 100];
}

/** The unit a metric's score is shown with: NPS in points (none), CSAT and CES in percent. */
export function scoreUnitOf(metric: Metric | null | undefined): string {
  return metric === 'nps' ? '' : ' %';
}

export function isValidScore(metric: Metric, score: number): boolean {
  const { min, max } = SCALES[metric];
  return Number.isInteger(score) && score >= min && score <= max;
}

export function scaleOf(metric: Metric): number[] {
  const { min, max } = SCALES[metric];
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

/**
 * Scores per row wherever a scale is laid out: one that would make targets under 44 px on a
 * 360 px phone (0–10, 1–7) takes two rows (0–5 / 6–10, 1–4 / 5–7), the first the longer, so the
 * two ends stay at the corners.
 */
export function scoresPerRow(count: number): number {
  return count > 6 ? Math.ceil(count / 2) : count;
}
