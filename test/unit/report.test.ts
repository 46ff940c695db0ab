import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCsv, REPORT_COLUMNS } from '../../lib/contracts/report-csv.js';
import { emptyRollupRow, ReportRow, RollupRow, TOTAL } from '../../lib/contracts/report.js';
import { responseRate } from '../../lib/domain/funnel.js';
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

describe('response rate', () => {
  it('stays on the sent basis while deliveries are partly known: 37 sent, 1 delivered, 11 answered → 29.7 %', () => {
    const [row] = buildReport(
      [cell('2026-11-02', 'web', {}, { sent: 37, delivered: 1, outcomeKnown: 1, answered: 11 })],
      ['touchpoint'],
      () => undefined,
    );
    expect(row).toMatchObject({ responseRateBasis: 'sent', outcomeKnown: 1 });
    expect(row!.responseRate).toBeCloseTo(11 / 37, 12);
  });

  it('uses delivered once every sent survey has a known outcome', () => {
    expect(responseRate({ sent: 10, delivered: 9, outcomeKnown: 10, answered: 4 })).toEqual({
      rate: 4 / 9,
      basis: 'delivered',
    });
  });

  it('does not count a complaint after a delivery twice as a known outcome', () => {
    // 8 delivered, 2 of them later complained about: the other 2 sent surveys are unknown
    const counted = { sent: 10, delivered: 8, bounced: 0, complained: 2, outcomeKnown: 8 };
    expect(responseRate({ ...counted, answered: 5 }).basis).toBe('sent');
  });

  it('falls back to sent when the deliveries do not account for every answer', () => {
    // one delivery event lost, its survey complained about and answered: never 200 %
    expect(responseRate({ sent: 2, delivered: 1, outcomeKnown: 2, answered: 2 })).toEqual({
      rate: 1,
      basis: 'sent',
    });
  });

  it('is never above 100 % for any mix of outcomes', () => {
    const survey = fc.record({
      delivered: fc.boolean(),
      bounced: fc.boolean(),
      complained: fc.boolean(),
      answered: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(survey, { maxLength: 60 }), (surveys) => {
        // counted as the rollup counts sent surveys
        const funnel = {
          sent: surveys.length,
          delivered: surveys.filter((s) => s.delivered).length,
          outcomeKnown: surveys.filter((s) => s.delivered || s.bounced || s.complained).length,
          answered: surveys.filter((s) => s.answered).length,
        };
        const { rate } = responseRate(funnel);
        if (rate !== null) expect(rate).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('report rows', () => {
  const start = '2026-11-01';
  const rows = Array.from({ length: 21 }, (_, i) => [
    cell(addDays(start, i), 'web', i < 7 ? { 5: 6, 1: 4 } : { 5: 9, 1: 1 }, {
      invited: 11,
      sent: 10,
      answered: 5,
      skipped: { 'no-email': 1 },
    }),
    cell(
      addDays(start, i),
      'app',
      { 4: 1 },
      { invited: 2, sent: 2, delivered: 2, outcomeKnown: 2, answered: 1 },
    ),
  ]).flat();

  it('sums grouped cells exactly, and over sent while one cell has unknown deliveries', () => {
    const report = buildReport(rows, ['touchpoint'], () => 85);
    const day = report.find((r) => r.day === '2026-11-15')!;
    expect(day).toMatchObject({
      channel: '*',
      sent: 12,
      delivered: 2,
      outcomeKnown: 2,
      answered: 6,
      n: 11,
      target: 85,
      skipped: 1,
      skippedByReason: { 'no-email': 1 },
      responseRateBasis: 'sent', // not 6 / 2 = 300 %
    });
    expect(day.responseRate).toBeCloseTo(6 / 12, 12);
    expect(day.score).toBeCloseTo((10 / 11) * 100, 9); // 9 fives + 1 four of 11
    expect(day.ciLow! < day.score! && day.score! < day.ciHigh!).toBe(true);
  });

  it('adds rolling 7- and 28-day scores with their intervals, and the week-over-week test', () => {
    const report = buildReport(rows, ['touchpoint', 'channel'], () => undefined);
    const web = report.find((r) => r.day === '2026-11-14' && r.channel === 'web')!;
    // days 8–14 all 90 % (63 of 70); the week before (days 1–7) all 60 % (42 of 70)
    expect(web).toMatchObject({
      rolling7N: 70,
      rolling7LowN: false,
      rolling7Interval: 'wilson',
      rolling28N: 140,
      rolling28LowN: false,
      weekOverWeekSignificant: true,
      weekOverWeekTest: 'two-proportion-z',
      weekOverWeekLowN: false,
    });
    expect(web.rolling7Score).toBeCloseTo(90, 9);
    expect(web.rolling7CiLow).toBeCloseTo(80.77, 2); // Wilson, 63 of 70
    expect(web.rolling7CiHigh).toBeCloseTo(95.07, 2);
    expect(web.rolling28Score).toBeCloseTo(75, 9);
    expect(web.weekOverWeekChange).toBeCloseTo(30, 9);
    // pooled p = 105/140: z = 0.3 / √(0.75 · 0.25 · 2/70) = 0.3 / 0.073193 = 4.0988
    expect(web.weekOverWeekZ).toBeCloseTo(4.0988, 4);
    expect(web.weekOverWeekP).toBeLessThan(0.001);
    const app = report.find((r) => r.day === '2026-11-14' && r.channel === 'app')!;
    // 7 answers a week: low-n, never significant, and marked so
    expect(app).toMatchObject({
      weekOverWeekChange: 0,
      weekOverWeekSignificant: false,
      weekOverWeekLowN: true,
      rolling7LowN: true,
    });
  });

  it('adds a totals row per group over the period, marked day "total"', () => {
    const report = buildReport(rows, ['touchpoint', 'channel'], () => undefined, {
      from: '2026-11-15',
      to: '2026-11-21',
      totals: true,
    });
    expect(report.filter((r) => r.day !== TOTAL).map((r) => r.day)).not.toContain('2026-11-14');
    const totals = report.filter((r) => r.day === TOTAL);
    expect(totals.map((r) => r.channel)).toEqual(['app', 'web']);
    expect(report.slice(-2)).toEqual(totals); // after the days
    const web = totals.find((r) => r.channel === 'web')!;
    expect(web).toMatchObject({
      periodFrom: '2026-11-15',
      periodTo: '2026-11-21',
      invited: 77,
      sent: 70,
      answered: 35,
      skippedByReason: { 'no-email': 7 },
      n: 70,
      responseRateBasis: 'sent',
      rolling7Score: null,
      weekOverWeekChange: null,
    });
    expect(web.score).toBeCloseTo(90, 9);
    expect(web.responseRate).toBeCloseTo(0.5, 12);
  });

  it('keeps the journey of a step: equal step names of two journeys stay apart', () => {
    const step = (journeyId: string, score: number) => ({
      ...cell('2026-11-02', 'web', { [score]: 1 }),
      journeyId,
      journeyStep: 'first-call',
    });
    const cells = [step('onboarding', 5), step('renewal', 1)];
    const bySteps = buildReport(cells, ['journeyStep'], () => undefined);
    expect(bySteps.map((r) => [r.journeyId, r.journeyStep, r.score])).toEqual([
      ['onboarding', 'first-call', 100],
      ['renewal', 'first-call', 0],
    ]);
    const byJourney = buildReport(cells, ['journeyId'], () => undefined);
    expect(byJourney.map((r) => [r.journeyId, r.journeyStep])).toEqual([
      ['onboarding', '*'],
      ['renewal', '*'],
    ]);
  });

  it('reports failed, unknown and expired surveys', () => {
    const [row] = buildReport(
      [cell('2026-11-02', 'web', {}, { invited: 9, sent: 6, failed: 1, unknown: 2, expired: 3 })],
      ['touchpoint'],
      () => undefined,
    );
    expect(row).toMatchObject({ failed: 1, unknown: 2, expired: 3 });
  });
});

describe('stored and exported rows', () => {
  it('parses a rollup row stored before journeys, failures and known outcomes were counted', () => {
    const old = {
      day: '2026-10-25',
      touchpoint: 'support-call',
      channel: 'phone',
      segment: 'smb',
      journeyStep: '-',
      metric: 'nps',
      invited: 3,
      skipped: { 'no-email': 1 },
      sent: 3,
      delivered: 1,
      bounced: 0,
      complained: 0,
      answered: 2,
      scores: histogram({ 10: 2 }),
    };
    expect(RollupRow.parse(old)).toMatchObject({
      journeyId: '-',
      failed: 0,
      unknown: 0,
      expired: 0,
      outcomeKnown: 0,
    });
  });

  it('keeps every original CSV column where it was and rounds to what a spreadsheet needs', () => {
    const [row] = buildReport(
      [
        cell(
          '2026-11-02',
          'web',
          { 5: 2, 1: 1 },
          { sent: 7, answered: 3, skipped: { cap: 2, 'odd-reason': 1 } },
        ),
      ],
      ['touchpoint'],
      () => undefined,
    );
    const [header, line] = toCsv([ReportRow.parse(row)])
      .trim()
      .split('\n');
    const columns = header!.split(',');
    expect(columns.slice(0, 30)).toEqual([
      'day',
      'touchpoint',
      'channel',
      'segment',
      'journeyStep',
      'metric',
      'invited',
      'skipped',
      'sent',
      'delivered',
      'bounced',
      'complained',
      'answered',
      'responseRate',
      'responseRateBasis',
      'n',
      'score',
      'ciLow',
      'ciHigh',
      'margin',
      'interval',
      'lowN',
      'mean',
      'target',
      'rolling7Score',
      'rolling7N',
      'rolling28Score',
      'rolling28N',
      'weekOverWeekChange',
      'weekOverWeekSignificant',
    ]);
    const value = (name: string) => line!.split(',')[columns.indexOf(name)];
    expect(value('score')).toBe('66.67'); // 66.666…
    expect(value('responseRate')).toBe('0.4286'); // 3 / 7
    expect(value('ciLow')).toBe(String(Number(row!.ciLow!.toFixed(2))));
    expect(value('skipped.cap')).toBe('2');
    expect(value('skipped.other')).toBe('1');
    expect(value('skipped.no-email')).toBe('0');
    expect(columns).toEqual(expect.arrayContaining(REPORT_COLUMNS as string[]));
  });
});
