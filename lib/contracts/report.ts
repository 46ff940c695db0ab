/**
 * The rollup row (stored) and the report row (`afterword report --format json|csv`): public,
 * documented and versioned so BI tools can load them. Add fields; never rename or remove one.
 */
import * as z from 'zod';
import { Metric } from '../domain/metric.js';
import { emptyHistogram } from '../domain/scoring.js';

/** Marks a dimension left out of the grouping ("all channels"). */
export const ALL = '*';
/** Marks an absent optional dimension (no segment, no journey step). */
export const NONE = '-';

/** Which cell a row describes: day × touchpoint × channel × segment × journey step, and its metric. */
const Cell = z.object({
  day: z.string(),
  touchpoint: z.string(),
  channel: z.string(),
  segment: z.string(),
  journeyStep: z.string(),
  metric: Metric.nullable(),
});

/** One stored cell. */
export const RollupRow = Cell.extend({
  /** Funnel, by the day of the survey's send time (or decision time, when skipped). */
  invited: z.number().int(),
  skipped: z.record(z.string(), z.number().int()),
  sent: z.number().int(),
  delivered: z.number().int(),
  bounced: z.number().int(),
  complained: z.number().int(),
  answered: z.number().int(),
  /** Score histogram by the day the answer was given: `scores[s]` answers scored s. */
  scores: z.array(z.number().int()).length(11),
});
export type RollupRow = z.infer<typeof RollupRow>;

/** A cell with nothing counted yet. */
export function emptyRollupRow(cell: z.infer<typeof Cell>): RollupRow {
  return {
    ...cell,
    invited: 0,
    skipped: {},
    sent: 0,
    delivered: 0,
    bounced: 0,
    complained: 0,
    answered: 0,
    scores: emptyHistogram(),
  };
}

export const ReportRow = Cell.extend({
  invited: z.number().int(),
  skipped: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  bounced: z.number().int(),
  complained: z.number().int(),
  answered: z.number().int(),
  /** answered / delivered, or answered / sent while delivery is not known (see basis). */
  responseRate: z.number().nullable(),
  responseRateBasis: z.enum(['delivered', 'sent']),
  /** Answers given on this day that the score is computed from. */
  n: z.number().int(),
  score: z.number().nullable(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  margin: z.number().nullable(),
  interval: z.enum(['wald', 'adjusted-wald', 'wilson', 't']).nullable(),
  lowN: z.boolean(),
  /** CES only: the mean score on the 1–7 scale. */
  mean: z.number().nullable(),
  target: z.number().nullable(),
  /** The score over the 7 and 28 days ending with this day (answers given in those days). */
  rolling7Score: z.number().nullable(),
  rolling7N: z.number().int(),
  rolling28Score: z.number().nullable(),
  rolling28N: z.number().int(),
  /** The 7 days ending with this day against the 7 before: change in points and whether it is significant. */
  weekOverWeekChange: z.number().nullable(),
  weekOverWeekSignificant: z.boolean(),
});
export type ReportRow = z.infer<typeof ReportRow>;
