/**
 * The rollup row (stored) and the report row (`afterword report --format json|csv`): public,
 * documented and versioned so BI tools can load them. Add fields; never rename or remove one.
 * Fields added after the first version carry defaults, so rows stored (or exported) before them
 * still parse.
 */
import * as z from 'zod';
import { Metric } from '../domain/metric.js';
import { emptyHistogram } from '../domain/scoring.js';
import { REVIEW_COUNTS } from '../domain/review.js';
import { VALUE_COUNTS } from '../domain/value.js';

/** What an answer adds beyond its score (domain/counters.ts `answerExtras`): counted per cell. */
const ANSWER_EXTRA_COUNTS = [...VALUE_COUNTS, ...REVIEW_COUNTS] as const;

/** Marks a dimension left out of the grouping ("all channels"). */
export const ALL = '*';
/** Marks an absent optional dimension (no segment, no journey step). */
export const NONE = '-';
/** The `day` of a report's totals row: the group summed over the whole chosen period. */
export const TOTAL = 'total';

const count = z.number().int();

/**
 * Which cell a row describes: day × touchpoint × channel × segment × journey × journey step, and
 * its metric. A journey step is only meaningful within its journey, so both are kept.
 */
const Cell = z.object({
  day: z.string(),
  touchpoint: z.string(),
  channel: z.string(),
  segment: z.string(),
  journeyId: z.string().default(NONE),
  journeyStep: z.string(),
  metric: Metric.nullable(),
});

/**
 * A cell's funnel past the invitation, by the day of the survey's send time: the same fields in
 * stored rows and in report rows.
 */
/** The funnel's counts of a row, by name (each a plain count that sums across rows). */
export const FUNNEL_COUNTS = [
  'invited',
  'sent',
  'delivered',
  'bounced',
  'complained',
  'failed',
  'unknown',
  'expired',
  'outcomeKnown',
  'answered',
] as const;

const FunnelOutcomes = {
  sent: count,
  delivered: count,
  bounced: count,
  complained: count,
  /** SES rejected the send (status `failed`). */
  failed: count.default(0),
  /** Perhaps sent, never retried: the sender died holding the claim, or SES may have taken it. */
  unknown: count.default(0),
  /** The link closed unanswered. */
  expired: count.default(0),
  /**
   * Sent surveys with a known outcome (delivered, bounced or complained), each counted once: a
   * complaint usually follows a delivery, so the three counts cannot simply be added.
   */
  outcomeKnown: count.default(0),
  answered: count,
};

/**
 * A questionnaire question's answers in a cell, by score group (questionnaire.ts SCORE_GROUPS):
 * how many answered it, and how many chose each option (a rating's options are "1"–"5").
 */
export const QuestionCounts = z.object({
  answered: z.record(z.string(), count),
  options: z.record(z.string(), z.record(z.string(), count)).default({}),
});
export type QuestionCounts = z.infer<typeof QuestionCounts>;

/** One stored cell. */
export const RollupRow = Cell.extend({
  /** Funnel, by the day of the survey's send time (or decision time, when skipped). */
  invited: count,
  skipped: z.record(z.string(), count),
  ...FunnelOutcomes,
  /** Score histogram by the day the answer was given: `scores[s]` answers scored s. */
  scores: z.array(count).length(11),
  /** Questionnaire answers given on the day, by question id (drivers: options by score group). */
  questions: z.record(z.string(), QuestionCounts).default({}),
  /**
   * Revenue at risk, by the day of the answer, for a program with a value setting (domain/value.ts):
   * answers with a value and their sum, the unhappy and the happy answers' sums (in the currency's
   * minor unit), and the answers whose value was missing or not a number.
   */
  /**
   * And the review programme (domain/review.ts), by the day of the answer: happy answers invited
   * to review on their thank-you page (`reviewOffered`), and those whose customer followed the
   * invitation (`reviewClicked`).
   */
  ...(Object.fromEntries(ANSWER_EXTRA_COUNTS.map((name) => [name, count.default(0)])) as Record<
    (typeof ANSWER_EXTRA_COUNTS)[number],
    z.ZodDefault<typeof count>
  >),
  /** The currency (ISO 4217) of those sums, from the program's setting when the row was written. */
  valueCurrency: z.string().nullable().default(null),
});
export type RollupRow = z.infer<typeof RollupRow>;

/** A cell with nothing counted yet. */
export function emptyRollupRow(cell: z.input<typeof Cell>): RollupRow {
  return {
    ...cell,
    journeyId: cell.journeyId ?? NONE,
    invited: 0,
    skipped: {},
    sent: 0,
    delivered: 0,
    bounced: 0,
    complained: 0,
    failed: 0,
    unknown: 0,
    expired: 0,
    outcomeKnown: 0,
    answered: 0,
    scores: emptyHistogram(),
    questions: {},
    valueCurrency: null,
    ...(Object.fromEntries(ANSWER_EXTRA_COUNTS.map((name) => [name, 0])) as Record<
      (typeof ANSWER_EXTRA_COUNTS)[number],
      number
    >),
  };
}

const Interval = z.enum(['wald', 'adjusted-wald', 'wilson', 't']);
const nullableNumber = z.number().nullable();

/** A count and its share (percent) of the question's answers, with the Wilson interval. */
const Share = z.object({
  count,
  share: nullableNumber,
  ciLow: nullableNumber,
  ciHigh: nullableNumber,
  /** Fewer than 30 answers behind the share. */
  lowN: z.boolean(),
});

/**
 * One questionnaire question in a report row: how many answered it (in all and per score group)
 * and, per option (a rating's "1"–"5"), the count and share overall and per score group, so "the
 * top reasons among detractors" come with counts, shares and intervals. A rating has its mean.
 */
export const QuestionResult = z.object({
  questionId: z.string(),
  /** From the program's config; null for a question it no longer lists. */
  type: z.enum(['choice', 'choices', 'rating', 'text']).nullable(),
  answered: count,
  answeredByGroup: z.record(z.string(), count),
  options: z.array(Share.extend({ option: z.string(), byGroup: z.record(z.string(), Share) })),
  mean: nullableNumber,
  meanCiLow: nullableNumber,
  meanCiHigh: nullableNumber,
});
export type QuestionResult = z.infer<typeof QuestionResult>;

export const ReportRow = Cell.extend({
  /** The days the row covers: the day itself, or the chosen period on a `total` row. */
  periodFrom: z.string().optional(),
  periodTo: z.string().optional(),
  invited: count,
  skipped: count,
  /** The skips (and cancellations) by reason, e.g. `{"no-email": 2, "cap": 1}`. */
  skippedByReason: z.record(z.string(), count).default({}),
  ...FunnelOutcomes,
  /**
   * answered / delivered when every sent survey has a known outcome (and the deliveries account for
   * every answer), otherwise answered / sent; `responseRateBasis` says which. Never above 1.
   */
  responseRate: nullableNumber,
  responseRateBasis: z.enum(['delivered', 'sent']),
  /** Answers given on this day (or in the period) that the score is computed from. */
  n: count,
  score: nullableNumber,
  /** The 95 % interval, [ciLow, ciHigh]: not centred on score (NPS: on adjustedScore). */
  ciLow: nullableNumber,
  ciHigh: nullableNumber,
  /** Half the interval's width, (ciHigh − ciLow) / 2. Show [ciLow, ciHigh], not score ± margin. */
  margin: nullableNumber,
  interval: Interval.nullable(),
  lowN: z.boolean(),
  /** NPS only: NPS' = p' − d' in points, the adjusted estimate the interval is centred on. */
  adjustedScore: nullableNumber.default(null),
  /** CES only: the mean score on the 1–7 scale, and its t interval. */
  mean: nullableNumber,
  meanCiLow: nullableNumber.default(null),
  meanCiHigh: nullableNumber.default(null),
  meanInterval: Interval.nullable().default(null),
  target: nullableNumber,
  /** The score over the 7 and 28 days ending with this day (answers given in those days). */
  rolling7Score: nullableNumber,
  rolling7N: count,
  rolling7CiLow: nullableNumber.default(null),
  rolling7CiHigh: nullableNumber.default(null),
  rolling7Interval: Interval.nullable().default(null),
  rolling7LowN: z.boolean().default(true),
  rolling28Score: nullableNumber,
  rolling28N: count,
  rolling28CiLow: nullableNumber.default(null),
  rolling28CiHigh: nullableNumber.default(null),
  rolling28Interval: Interval.nullable().default(null),
  rolling28LowN: z.boolean().default(true),
  /** The 7 days ending with this day against the 7 before: change in points and whether it is significant. */
  weekOverWeekChange: nullableNumber,
  weekOverWeekSignificant: z.boolean(),
  /** The test's statistic (z tests), two-sided p, the test, and whether either week is low-n. */
  weekOverWeekZ: nullableNumber.default(null),
  weekOverWeekP: nullableNumber.default(null),
  weekOverWeekTest: z
    .enum(['adjusted-wald-z', 'two-proportion-z', 'fisher-exact'])
    .nullable()
    .default(null),
  weekOverWeekLowN: z.boolean().default(true),
  /**
   * Revenue at risk (a program with a value setting; null otherwise, or over touchpoints of
   * different currencies): the value of the interactions answered in the row's days, in the
   * currency's major unit, the unhappy answers' share (NPS detractors, CSAT not satisfied, CES not
   * easy) and the happy ones' (promoters, satisfied, easy), in percent of it. `valueAnswers`
   * answers had a value; `valueMissing` had none and `valueInvalid` one that was not a number.
   */
  valueCurrency: z.string().nullable().default(null),
  valueAnswers: count.default(0),
  valueAnswered: nullableNumber.default(null),
  valueUnhappy: nullableNumber.default(null),
  valueUnhappyShare: nullableNumber.default(null),
  valueHappy: nullableNumber.default(null),
  valueHappyShare: nullableNumber.default(null),
  valueMissing: count.default(0),
  valueInvalid: count.default(0),
  /**
   * The review programme: answers invited to review, those whose customer followed the
   * invitation, and the click rate, followed ÷ invited (a fraction; null with no invitation).
   */
  reviewOffered: count.default(0),
  reviewClicked: count.default(0),
  reviewClickRate: nullableNumber.default(null),
  /** The questionnaire's answers given in the row's days: drivers per score group. */
  questions: z.array(QuestionResult).default([]),
});
export type ReportRow = z.infer<typeof ReportRow>;
