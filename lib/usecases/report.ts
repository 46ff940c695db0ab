/**
 * Report: reads stored rollup rows and re-aggregates them for the requested grouping. Rows keep
 * raw counts and score histograms, so any grouping is exact (no averaging of averages).
 *
 * Primary course:
 * 1. Read the rollup rows of the period and of the 27 days before (rolling 28 days, week before).
 * 2. Sum them per day × kept dimensions × metric.
 * 3. Per day row: the funnel and its response rate, the day's score and interval, the rolling 7 and
 *    28 days with theirs, and the week against the week before.
 * 4. Optionally, per group, a totals row (day `total`) over the whole period.
 */
import { ALL, FUNNEL_COUNTS, TOTAL, type ReportRow, type RollupRow } from '../contracts/report.js';
import { addHistograms, emptyHistogram, summarize } from '../domain/scoring.js';
import { comparePeriods } from '../domain/significance.js';
import { addDays, dayNumber } from '../domain/time.js';
import { addQuestionCounts, copyQuestionCounts, questionResults } from '../domain/drivers.js';
import type { Question } from '../domain/program-parts.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { toReportRow } from './report-row.js';
import { VALUE_COUNTS } from '../domain/value.js';
import { REVIEW_COUNTS } from '../domain/review.js';

/** What report reaches of the runtime: its functions are built with these and no more. */
export const REPORT_USES = ['programFor', 'rollups'] as const satisfies readonly RuntimePart[];
export type ReportDeps = Needs<typeof REPORT_USES>;

export const DIMENSIONS = ['touchpoint', 'channel', 'segment', 'journeyId', 'journeyStep'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface ReportOptions {
  from: string;
  to: string;
  /** Dimensions to keep; the others are summed over and shown as "*". Default: all. */
  by?: Dimension[];
  /** Add a totals row (day `total`) per group over the period. */
  totals?: boolean;
  /** Only cells with these dimension values (applied before grouping, so rolling windows follow). */
  where?: Partial<Record<Dimension, string>>;
  /** Only these touchpoints (a dashboard owner's own). */
  touchpoints?: ReadonlySet<string>;
}

/** The period `afterword report` shows when given no --from: the last 7 days. */
export const DEFAULT_REPORT_DAYS = 7;

/** Days of rollups read before `from`, for the rolling 28 days and the week before's 7. */
const LOOKBACK_DAYS = 27;

export async function report(rt: ReportDeps, options: ReportOptions): Promise<ReportRow[]> {
  const where = Object.entries(options.where ?? {}) as [Dimension, string][];
  const rows = (await rt.rollups.range(addDays(options.from, -LOOKBACK_DAYS), options.to)).filter(
    (row) =>
      where.every(([dimension, value]) => row[dimension] === value) &&
      (!options.touchpoints || options.touchpoints.has(row.touchpoint)),
  );
  return buildReport(
    rows,
    options.by ?? [...DIMENSIONS],
    (touchpoint) => rt.programFor(touchpoint)?.target,
    { from: options.from, to: options.to, totals: options.totals ?? false },
    (touchpoint) => rt.programFor(touchpoint)?.questions ?? [],
    (touchpoint) => rt.programFor(touchpoint)?.value?.currency,
  );
}

/**
 * The dimensions a grouping keeps. A journey step is only meaningful within its journey (two
 * journeys may both have a step "first-call"), so keeping the step keeps the journey too.
 */
export function groupingDimensions(by: readonly Dimension[]): Dimension[] {
  const kept = new Set<Dimension>(by);
  if (kept.has('journeyStep')) kept.add('journeyId');
  return DIMENSIONS.filter((dimension) => kept.has(dimension));
}

function addInto(total: RollupRow, row: RollupRow): void {
  for (const field of FUNNEL_COUNTS) total[field] += row[field];
  for (const field of [...VALUE_COUNTS, ...REVIEW_COUNTS]) total[field] += row[field];
  total.scores = addHistograms(total.scores, row.scores);
  addQuestionCounts(total.questions, row.questions);
  for (const [reason, count] of Object.entries(row.skipped)) {
    total.skipped[reason] = (total.skipped[reason] ?? 0) + count;
  }
}

function copyOf(row: RollupRow, changes: Partial<RollupRow>): RollupRow {
  return {
    ...row,
    ...changes,
    skipped: { ...row.skipped },
    scores: addHistograms(emptyHistogram(), row.scores),
    questions: copyQuestionCounts(row.questions),
  };
}

/**
 * Builds report rows from rollup rows. With a `period`, only its days are reported (earlier rows
 * feed the rolling windows) and `totals` adds one row per group over the period.
 */
export function buildReport(
  rows: RollupRow[],
  by: readonly Dimension[],
  targetOf: (touchpoint: string) => number | undefined,
  period?: { from: string; to: string; totals?: boolean },
  /** A touchpoint's questionnaire, for its questions' types and order. */
  questionsOf: (touchpoint: string) => readonly Question[] = () => [],
  /** The currency of a touchpoint's values (revenue at risk), when its program has a value setting. */
  currencyOf: (touchpoint: string) => string | undefined = () => undefined,
): ReportRow[] {
  const kept = groupingDimensions(by);
  const dimensionsOf = (row: RollupRow) =>
    Object.fromEntries(DIMENSIONS.map((d) => [d, kept.includes(d) ? row[d] : ALL])) as Record<
      Dimension,
      string
    >;
  // The group without its day: the rolling windows and the totals run along it.
  const cellOf = (row: RollupRow) =>
    [...DIMENSIONS.map((d) => row[d]), row.metric ?? ''].join('\u0000');

  const groups = new Map<string, RollupRow>();
  for (const row of rows) {
    const grouped = { ...row, ...dimensionsOf(row) };
    const key = `${row.day}\u0000${cellOf(grouped)}`;
    const group = groups.get(key);
    if (group) addInto(group, row);
    else groups.set(key, copyOf(grouped, {}));
  }

  // Rolling windows from running sums: per cell, the histograms summed up to each day, so a
  // window of any length is one subtraction (a 90-day dashboard has thousands of windows).
  const cells = new Map<string, { first: number; days: Map<number, number[]> }>();
  for (const group of groups.values()) {
    const cell = cells.get(cellOf(group)) ?? { first: Infinity, days: new Map<number, number[]>() };
    const day = dayNumber(group.day);
    cell.days.set(day, group.scores);
    cell.first = Math.min(cell.first, day);
    cells.set(cellOf(group), cell);
  }
  const runningSums = new Map<string, number[][]>();
  const runningSumsOf = (key: string) => {
    let sums = runningSums.get(key);
    if (sums) return sums;
    const { first, days } = cells.get(key)!;
    const last = Math.max(...days.keys());
    // sums[i] holds the days first .. first + i - 1
    sums = [emptyHistogram()];
    for (let day = first; day <= last; day++) {
      const scores = days.get(day);
      sums.push(scores ? addHistograms(sums[sums.length - 1]!, scores) : sums[sums.length - 1]!);
    }
    runningSums.set(key, sums);
    return sums;
  };
  const window = (group: RollupRow, lastDay: number, length: number) => {
    const key = cellOf(group);
    const { first } = cells.get(key)!;
    const sums = runningSumsOf(key);
    const high = Math.min(lastDay - first + 1, sums.length - 1);
    const low = Math.max(lastDay - length + 1 - first, 0);
    if (high <= low) return emptyHistogram();
    return sums[high]!.map((count, score) => count - sums[low]![score]!);
  };
  const inPeriod = (day: string) => !period || (day >= period.from && day <= period.to);
  const targetFor = (group: RollupRow) =>
    group.touchpoint === ALL ? undefined : targetOf(group.touchpoint);
  // Rows over all touchpoints merge questions of the same id; the first program's definition counts.
  const touchpoints = [...new Set(rows.map((row) => row.touchpoint))].sort();
  const questionsFor = (group: RollupRow) =>
    group.touchpoint === ALL
      ? touchpoints.flatMap((touchpoint) => questionsOf(touchpoint))
      : questionsOf(group.touchpoint);
  // Values over all touchpoints sum only when they share one currency.
  const currencies = new Set(touchpoints.map(currencyOf).filter((c) => c !== undefined));
  const currencyFor = (group: RollupRow) =>
    group.touchpoint === ALL
      ? currencies.size === 1
        ? [...currencies][0]!
        : null
      : (currencyOf(group.touchpoint) ?? null);
  const toRow = (group: RollupRow, period: { from: string; to: string }) => {
    const questions = questionsFor(group);
    return {
      ...toReportRow(group, targetFor(group), period, currencyFor(group)),
      questions: questionResults(
        group.questions,
        (id) => questions.find((question) => question.id === id),
        questions.map((question) => question.id),
      ),
    };
  };

  const report: ReportRow[] = [];
  const totals = new Map<string, RollupRow>();
  for (const group of groups.values()) {
    if (!inPeriod(group.day)) continue;
    if (period?.totals) {
      const total = totals.get(cellOf(group));
      if (total) addInto(total, group);
      else totals.set(cellOf(group), copyOf(group, { day: TOTAL }));
    }
    const row = toRow(group, { from: group.day, to: group.day });
    if (!group.metric) {
      report.push(row);
      continue;
    }
    const day = dayNumber(group.day);
    const week = window(group, day, 7);
    const rolling7 = summarize(group.metric, week);
    const rolling28 = summarize(group.metric, window(group, day, 28));
    const wow = comparePeriods(group.metric, week, window(group, day - 7, 7));
    report.push({
      ...row,
      rolling7Score: rolling7.score,
      rolling7N: rolling7.n,
      rolling7CiLow: rolling7.ciLow,
      rolling7CiHigh: rolling7.ciHigh,
      rolling7Interval: rolling7.interval,
      rolling7LowN: rolling7.lowN,
      rolling28Score: rolling28.score,
      rolling28N: rolling28.n,
      rolling28CiLow: rolling28.ciLow,
      rolling28CiHigh: rolling28.ciHigh,
      rolling28Interval: rolling28.interval,
      rolling28LowN: rolling28.lowN,
      weekOverWeekChange: wow.change,
      weekOverWeekSignificant: wow.significant,
      weekOverWeekZ: wow.z,
      weekOverWeekP: wow.p,
      weekOverWeekTest: wow.test,
      weekOverWeekLowN: wow.lowN,
    });
  }
  for (const total of totals.values()) {
    report.push(toRow(total, { from: period!.from, to: period!.to }));
  }
  return report.sort((a, b) => rowOrder(a).localeCompare(rowOrder(b)));
}

/** Days in date order with each day's groups together; the totals rows (day `total`) come last. */
function rowOrder(row: ReportRow): string {
  return [row.day, ...DIMENSIONS.map((d) => row[d]), row.metric ?? ''].join('\u0000');
}
