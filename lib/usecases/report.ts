/**
 * Report: reads stored rollup rows and re-aggregates them for the requested grouping. Rows keep
 * raw counts and score histograms, so any grouping is exact (no averaging of averages).
 */
import { ALL, type ReportRow, type RollupRow } from '../contracts/report.js';
import { addHistograms, comparePeriods, emptyHistogram, summarize } from '../domain/scoring.js';
import { addDays } from '../domain/time.js';
import type { Runtime } from '../runtime.js';

export const DIMENSIONS = ['touchpoint', 'channel', 'segment', 'journeyStep'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface ReportOptions {
  from: string;
  to: string;
  /** Dimensions to keep; the others are summed over and shown as "*". Default: all. */
  by?: Dimension[];
}

/** Days of rollups read before `from`, for the rolling 28 days and the week before's 7. */
const LOOKBACK_DAYS = 27;

export async function report(rt: Runtime, options: ReportOptions): Promise<ReportRow[]> {
  const rows = await rt.rollups.range(addDays(options.from, -LOOKBACK_DAYS), options.to);
  return buildReport(
    rows,
    options.by ?? [...DIMENSIONS],
    (touchpoint) => rt.programFor(touchpoint)?.target,
  ).filter((row) => row.day >= options.from);
}

export function buildReport(
  rows: RollupRow[],
  by: readonly Dimension[],
  targetOf: (touchpoint: string) => number | undefined,
): ReportRow[] {
  const groups = new Map<string, RollupRow>();
  for (const row of rows) {
    const dims = Object.fromEntries(
      DIMENSIONS.map((d) => [d, by.includes(d) ? row[d] : ALL]),
    ) as Record<Dimension, string>;
    const key = [row.day, ...DIMENSIONS.map((d) => dims[d]), row.metric ?? ''].join('\u0000');
    const group = groups.get(key);
    if (!group) {
      groups.set(key, {
        ...row,
        ...dims,
        skipped: { ...row.skipped },
        scores: addHistograms(emptyHistogram(), row.scores),
      });
      continue;
    }
    group.invited += row.invited;
    group.sent += row.sent;
    group.delivered += row.delivered;
    group.bounced += row.bounced;
    group.complained += row.complained;
    group.answered += row.answered;
    group.scores = addHistograms(group.scores, row.scores);
    for (const [reason, count] of Object.entries(row.skipped)) {
      group.skipped[reason] = (group.skipped[reason] ?? 0) + count;
    }
  }
  // Score histograms per cell (without the day) and day, for the rolling windows.
  const cellOf = (group: RollupRow) =>
    [...DIMENSIONS.map((d) => group[d]), group.metric ?? ''].join('\u0000');
  const histograms = new Map<string, Map<string, number[]>>();
  for (const group of groups.values()) {
    const days = histograms.get(cellOf(group)) ?? new Map<string, number[]>();
    days.set(group.day, group.scores);
    histograms.set(cellOf(group), days);
  }
  const window = (group: RollupRow, lastDay: string, length: number) => {
    const days = histograms.get(cellOf(group))!;
    let total = emptyHistogram();
    for (let i = 0; i < length; i++) {
      const scores = days.get(addDays(lastDay, -i));
      if (scores) total = addHistograms(total, scores);
    }
    return total;
  };
  return [...groups.values()]
    .map((group) => {
      const row = toReportRow(
        group,
        group.touchpoint === ALL ? undefined : targetOf(group.touchpoint),
      );
      if (!group.metric) return row;
      const week = window(group, group.day, 7);
      const weekBefore = window(group, addDays(group.day, -7), 7);
      const rolling7 = summarize(group.metric, week);
      const rolling28 = summarize(group.metric, window(group, group.day, 28));
      const wow = comparePeriods(group.metric, week, weekBefore);
      return {
        ...row,
        rolling7Score: rolling7.score,
        rolling7N: rolling7.n,
        rolling28Score: rolling28.score,
        rolling28N: rolling28.n,
        weekOverWeekChange: wow.change,
        weekOverWeekSignificant: wow.significant,
      };
    })
    .sort((a, b) => rowOrder(a).localeCompare(rowOrder(b)));
}

function rowOrder(row: ReportRow): string {
  return [
    row.day,
    row.touchpoint,
    row.channel,
    row.segment,
    row.journeyStep,
    row.metric ?? '',
  ].join('\u0000');
}

function toReportRow(group: RollupRow, target: number | undefined): ReportRow {
  const deliveryKnown = group.delivered > 0 || group.bounced > 0;
  const basis = deliveryKnown ? group.delivered : group.sent;
  const summary = group.metric ? summarize(group.metric, group.scores) : undefined;
  return {
    day: group.day,
    touchpoint: group.touchpoint,
    channel: group.channel,
    segment: group.segment,
    journeyStep: group.journeyStep,
    metric: group.metric,
    invited: group.invited,
    skipped: Object.values(group.skipped).reduce((a, b) => a + b, 0),
    sent: group.sent,
    delivered: group.delivered,
    bounced: group.bounced,
    complained: group.complained,
    answered: group.answered,
    responseRate: basis > 0 ? group.answered / basis : null,
    responseRateBasis: deliveryKnown ? 'delivered' : 'sent',
    n: summary?.n ?? 0,
    score: summary?.score ?? null,
    ciLow: summary?.ciLow ?? null,
    ciHigh: summary?.ciHigh ?? null,
    margin: summary?.margin ?? null,
    interval: summary?.interval ?? null,
    lowN: summary ? summary.lowN : true,
    mean: summary?.mean ?? null,
    target: target ?? null,
    rolling7Score: null,
    rolling7N: 0,
    rolling28Score: null,
    rolling28N: 0,
    weekOverWeekChange: null,
    weekOverWeekSignificant: false,
  };
}
