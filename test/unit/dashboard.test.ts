import { describe, expect, it } from 'vitest';
import { emptyRollupRow, TOTAL } from '../../lib/contracts/report.js';
import { addDays } from '../../lib/domain/time.js';
import { buildReport } from '../../lib/usecases/report.js';
import { dashboardPage } from '../../lib/web/dashboard.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../lib/config/load.js';
import { wilson } from '../../lib/domain/scoring.js';

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
    // Each day: the 3 detractors and 2 passives said why.
    questions: {
      reason: {
        answered: { detractor: 3, passive: 2 },
        options: { 'waiting-time': { detractor: 2 }, other: { detractor: 1, passive: 2 } },
      },
    },
  }));
  const program = loadConfig(DEFAULT_CONFIG_PATH).programs.find(
    (p) => p.touchpoint === 'support-call',
  );
  const reported = buildReport(
    rows,
    ['touchpoint'],
    () => 40,
    { from: '2026-11-01', to: '2026-11-02', totals: true },
    () => program!.questions,
  );
  const page = dashboardPage(
    {
      query: { range: 'custom', from: '2026-11-01', to: '2026-11-02', filters: {} },
      rows: reported.filter((row) => row.day !== TOTAL),
      totals: reported.filter((row) => row.day === TOTAL),
      choices: { touchpoint: ['support-call'], channel: [], segment: [], journey: [], step: [] },
      expectations: new Map(),
      comments: [],
      programOf: () => program,
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

  it('shows the drivers over the period: each reason among those who answered, per score group', () => {
    expect(page).toContain('“What disappointed you most?”, answered by 10');
    // 4 of 6 detractors named the waiting time, over the two days
    const { ciLow, ciHigh } = wilson(4, 6);
    expect(page).toContain(
      `<td>The waiting time</td><td class="num">4 · 40 % [${wilson(4, 10).ciLow.toFixed(0)}, ${wilson(4, 10).ciHigh.toFixed(0)}]</td><td class="num">4 · 67 % [${ciLow.toFixed(0)}, ${ciHigh.toFixed(0)}]</td>`,
    );
    expect(page).toContain('<th class="num">detractors (6)</th><th class="num">passives (4)</th>');
  });
});
