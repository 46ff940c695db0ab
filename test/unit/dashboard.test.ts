import { describe, expect, it } from 'vitest';
import { emptyRollupRow, TOTAL } from '../../lib/contracts/report.js';
import { addDays } from '../../lib/domain/time.js';
import { buildReport } from '../../lib/usecases/report.js';
import { dashboardPage } from '../../lib/web/dashboard.js';

function scores(entries: Record<number, number>): number[] {
  const counts = new Array<number>(11).fill(0);
  for (const [score, count] of Object.entries(entries)) counts[Number(score)] = count;
  return counts;
}

describe('the CX dashboard page', () => {
  // 37 sent, 1 delivery reported, 11 answered, every day; 5 promoters, 2 passives, 3 detractors
  const rows = Array.from({ length: 2 }, (_, i) => ({
    ...emptyRollupRow({
      day: addDays('2026-11-01', i),
      touchpoint: 'support-call',
      channel: 'phone',
      segment: 'smb',
      journeyStep: '-',
      metric: 'nps',
    }),
    invited: 39,
    skipped: { 'no-email': 2 },
    sent: 37,
    delivered: 1,
    outcomeKnown: 1,
    answered: 11,
    scores: scores({ 10: 5, 8: 2, 3: 3 }),
  }));
  const reported = buildReport(rows, ['touchpoint'], () => 40, {
    from: '2026-11-01',
    to: '2026-11-02',
    totals: true,
  });
  const page = dashboardPage(
    {
      query: { range: 'custom', from: '2026-11-01', to: '2026-11-02', filters: {} },
      rows: reported.filter((row) => row.day !== TOTAL),
      totals: reported.filter((row) => row.day === TOTAL),
      choices: { touchpoint: ['support-call'], channel: [], segment: [], journey: [], step: [] },
      comments: [],
    },
    { brand: 'Acme', user: { sub: 'lead', roles: ['cx-lead'] }, csrf: 'token' },
  );

  it('shows the funnel over sent while deliveries are partly known, never above 100 %', () => {
    expect(page).toContain('30 % of sent'); // 22 / 74, not 22 / 2 = 1100 %
    const percents = [...page.matchAll(/(\d+) %/g)].map((m) => Number(m[1]));
    expect(Math.max(...percents)).toBeLessThanOrEqual(100);
    expect(page).toContain('no-email 4');
  });

  it('shows intervals as [low, high] and marks low n', () => {
    expect(page).toContain('[-30.3, 61.1]'); // a day's tooltip: 10 answers
    expect(page).toContain('(low n)');
    expect(page).toContain('class="dot low-n"');
    expect(page).toContain('20 <span class="low-n-mark">low n</span>'); // rolling 7 days: 20 answers
    expect(page).not.toContain('…');
  });
});
