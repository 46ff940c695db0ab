/**
 * One report row from a group of rollup cells: the metric with its interval, the funnel with its
 * rates, against the program's target.
 */
import type { ReportRow, RollupRow } from '../contracts/report.js';
import { responseRate } from '../domain/funnel.js';
import { summarize } from '../domain/scoring.js';
import { valueFigures } from '../domain/value.js';

export function toReportRow(
  group: RollupRow,
  target: number | undefined,
  period: { from: string; to: string },
  /** The currency of the group's values; null without a value setting or over several currencies. */
  currency: string | null = null,
): Omit<ReportRow, 'questions'> {
  const summary = group.metric ? summarize(group.metric, group.scores) : undefined;
  const { rate, basis } = responseRate(group);
  const meanKnown = summary?.meanCiLow !== undefined && summary.meanCiLow !== null;
  return {
    day: group.day,
    touchpoint: group.touchpoint,
    channel: group.channel,
    segment: group.segment,
    journeyId: group.journeyId,
    journeyStep: group.journeyStep,
    metric: group.metric,
    periodFrom: period.from,
    periodTo: period.to,
    invited: group.invited,
    skipped: Object.values(group.skipped).reduce((a, b) => a + b, 0),
    skippedByReason: { ...group.skipped },
    sent: group.sent,
    delivered: group.delivered,
    bounced: group.bounced,
    complained: group.complained,
    failed: group.failed,
    unknown: group.unknown,
    expired: group.expired,
    outcomeKnown: group.outcomeKnown,
    answered: group.answered,
    responseRate: rate,
    responseRateBasis: basis,
    n: summary?.n ?? 0,
    score: summary?.score ?? null,
    ciLow: summary?.ciLow ?? null,
    ciHigh: summary?.ciHigh ?? null,
    margin: summary?.margin ?? null,
    interval: summary?.interval ?? null,
    lowN: summary ? summary.lowN : true,
    adjustedScore: summary?.adjustedScore ?? null,
    mean: summary?.mean ?? null,
    meanCiLow: summary?.meanCiLow ?? null,
    meanCiHigh: summary?.meanCiHigh ?? null,
    meanInterval: meanKnown ? 't' : null,
    target: target ?? null,
    rolling7Score: null,
    rolling7N: 0,
    rolling7CiLow: null,
    rolling7CiHigh: null,
    rolling7Interval: null,
    rolling7LowN: true,
    rolling28Score: null,
    rolling28N: 0,
    rolling28CiLow: null,
    rolling28CiHigh: null,
    rolling28Interval: null,
    rolling28LowN: true,
    weekOverWeekChange: null,
    weekOverWeekSignificant: false,
    weekOverWeekZ: null,
    weekOverWeekP: null,
    weekOverWeekTest: null,
    weekOverWeekLowN: true,
    ...valueFigures(group, currency),
    reviewOffered: group.reviewOffered,
    reviewClicked: group.reviewClicked,
    reviewClickRate: group.reviewOffered ? group.reviewClicked / group.reviewOffered : null,
  };
}
