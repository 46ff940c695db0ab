import { describe, expect, it } from 'vitest';
import { emptyRollupRow, type RollupRow } from '../../lib/contracts/report.js';
import { addDays } from '../../lib/domain/time.js';
import { buildReport } from '../../lib/usecases/report.js';

function histogram(entries: Record<number, number>): number[] {
  const counts = new Array<number>(11).fill(0);
  for (const [score, count] of Object.entries(entries)) counts[Number(score)] = count;
  return counts;
}

function cell(
  day: string,
  channel: string,
  scores: Record<number, number>,
  funnel: Partial<RollupRow> = {},
): RollupRow {
  return {
    ...emptyRollupRow({
      day,
      touchpoint: 'order-delivered',
      channel,
      segment: 'smb',
      journeyStep: '-',
      metric: 'csat',
    }),
    scores: histogram(scores),
    ...funnel,
  };
}

describe('report rows', () => {
  const start = '2026-11-01';
  const rows = Array.from({ length: 21 }, (_, i) => [
    cell(addDays(start, i), 'web', i < 7 ? { 5: 6, 1: 4 } : { 5: 9, 1: 1 }, {
      sent: 10,
      answered: 5,
    }),
    cell(addDays(start, i), 'app', { 4: 1 }, { sent: 2, delivered: 2, answered: 1 }),
  ]).flat();

  it('sums grouped cells exactly and reports the response rate basis', () => {
    const report = buildReport(rows, ['touchpoint'], () => 85);
    const day = report.find((r) => r.day === '2026-11-15')!;
    expect(day).toMatchObject({
      channel: '*',
      sent: 12,
      delivered: 2,
      answered: 6,
      n: 11,
      target: 85,
      responseRateBasis: 'delivered',
    });
    expect(day.score).toBeCloseTo((10 / 11) * 100, 9); // 9 fives + 1 four of 11
  });

  it('adds rolling 7- and 28-day scores and the week-over-week change', () => {
    const report = buildReport(rows, ['touchpoint', 'channel'], () => undefined);
    const web = report.find((r) => r.day === '2026-11-14' && r.channel === 'web')!;
    // days 8–14 all 90 %; the week before (days 1–7) all 60 %
    expect(web.rolling7N).toBe(70);
    expect(web.rolling7Score).toBeCloseTo(90, 9);
    expect(web.rolling28N).toBe(140);
    expect(web.rolling28Score).toBeCloseTo(75, 9);
    expect(web.weekOverWeekChange).toBeCloseTo(30, 9);
    expect(web.weekOverWeekSignificant).toBe(true);
    const app = report.find((r) => r.day === '2026-11-14' && r.channel === 'app')!;
    expect(app.weekOverWeekChange).toBe(0);
    expect(app.weekOverWeekSignificant).toBe(false);
  });
});
