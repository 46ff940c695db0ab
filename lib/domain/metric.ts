/** The three survey metrics and their answer scales (see shared metrics.md). */
import * as z from 'zod';

export const Metric = z.enum(['nps', 'csat', 'ces']);
export type Metric = z.infer<typeof Metric>;

export const SCALES: Record<Metric, { min: number; max: number }> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

export function isValidScore(metric: Metric, score: number): boolean {
  const { min, max } = SCALES[metric];
  return Number.isInteger(score) && score >= min && score <= max;
}

export function scaleOf(metric: Metric): number[] {
  const { min, max } = SCALES[metric];
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}
