import { describe, expect, it } from 'vitest';
import { runDemo } from '../../lib/local/demo.js';
import { addDays, dayBounds, dayOf } from '../../lib/domain/time.js';
import { report } from '../../lib/usecases/report.js';
import { rollup } from '../../lib/usecases/rollup.js';
import { testRuntime } from '../support/harness.js';

describe('afterword demo', () => {
  it('replays days of interactions through the real flows, and the report accounts for every one', async () => {
    const rt = await testRuntime();
    const now = new Date('2026-11-23T12:00:00Z');
    const progress: string[] = [];
    const result = await runDemo(rt, {
      days: 2,
      now,
      seed: 7,
      onDay: (day, days) => progress.push(`${day}/${days}`),
    });
    expect(progress).toEqual(['1/2', '2/2']); // each replayed day, for a long run's progress
    expect(result.interactions).toBeGreaterThan(100);
    expect(result.sent).toBeGreaterThan(result.interactions * 0.8);
    expect(result.answered).toBeGreaterThan(20);

    const lastDay = dayOf(now, rt.config.timeZone);
    await rollup(rt, { now, days: 3, lastDay });
    const rows = await report(rt, { from: addDays(lastDay, -2), to: lastDay, by: ['touchpoint'] });
    const total = (field: 'invited' | 'answered' | 'n') =>
      rows.reduce((sum, row) => sum + row[field], 0);
    const skipped = rows.reduce((sum, row) => sum + row.skipped, 0);
    expect(skipped).toBeGreaterThan(0); // chat-closed samples 80 %
    expect(total('invited') + skipped).toBe(result.interactions);
    expect(total('answered')).toBe(result.answered);
    expect(total('n')).toBe(result.answered);
    // Each day's score, computed again straight from the stored answers with the plain definitions.
    for (const row of rows.filter((r) => r.n > 0)) {
      const { start, end } = dayBounds(row.day, rt.config.timeZone);
      const scores: number[] = [];
      await rt.dayIndex.forEachPage('answers', start, end, (page) => {
        for (const answer of page)
          if (answer.touchpoint === row.touchpoint) scores.push(answer.score!);
      });
      const share = (keep: (s: number) => boolean) =>
        (scores.filter(keep).length / scores.length) * 100;
      const reference =
        row.metric === 'nps'
          ? share((s) => s >= 9) - share((s) => s <= 6)
          : row.metric === 'csat'
            ? share((s) => s >= 4)
            : share((s) => s >= 5);
      expect(scores.length).toBe(row.n);
      expect(row.score).toBeCloseTo(reference, 9);
    }
    expect(new Set(rows.map((r) => r.touchpoint))).toEqual(
      new Set(['support-call', 'order-delivered', 'chat-closed']),
    );
  }, 60_000);
});
