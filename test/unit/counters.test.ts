import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  changeOf,
  contributionOf,
  mergeDeltas,
  rollupRowOf,
  type CountedInvitation,
} from '../../lib/domain/counters.js';
import { addIsoDuration } from '../../lib/domain/time.js';

const ZONE = 'Europe/London';
const base: CountedInvitation = {
  inCounters: true,
  status: 'scheduled',
  touchpoint: 'support-call',
  channel: 'phone',
  segment: 'smb',
  metric: 'nps',
  decidedAt: '2026-10-24T22:50:00Z',
  sendAt: '2026-10-24T23:20:00Z', // 00:20 BST on the 25th: the London day of the funnel
};

/** States an invitation goes through, each built on the one before. */
const step = fc.oneof(
  fc.constant((i: CountedInvitation) => ({ ...i, status: 'sent', sentAt: '2026-10-24T23:21:00Z' })),
  fc.constant((i: CountedInvitation) => ({
    ...i,
    status: i.answeredAt ? i.status : 'delivered',
    deliveredAt: '2026-10-24T23:22:00Z',
  })),
  fc.constant((i: CountedInvitation) => ({ ...i, bouncedAt: '2026-10-24T23:23:00Z' })),
  fc.constant((i: CountedInvitation) => ({ ...i, status: 'cancelled', reason: 'erased' })),
  fc.constant((i: CountedInvitation) => ({ ...i, status: 'failed', reason: 'rejected' })),
  fc
    .tuple(fc.integer({ min: 0, max: 10 }), fc.boolean(), fc.integer({ min: 0, max: 3 }))
    .map(([score, driver, day]) => (i: CountedInvitation): CountedInvitation => {
      const counted: Record<string, string[]> = driver
        ? { reason: ['waiting-time'], resolved: [] }
        : {};
      return {
        ...i,
        status: 'answered',
        score,
        answeredAt: `2026-10-2${5 + day}T10:00:00Z`,
        counted,
      };
    }),
);

describe('the counters a change adds', () => {
  it('sum, over any life, to what the final state contributes (each change counted once)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), (steps) => {
        let state: CountedInvitation | undefined;
        const changes = [];
        for (const next of [() => base, ...steps]) {
          const after: CountedInvitation = next(state ?? base);
          changes.push(...changeOf(state, after, ZONE));
          state = after;
        }
        expect(mergeDeltas(changes)).toEqual(mergeDeltas(contributionOf(state!, ZONE)));
      }),
    );
  });

  it('counts the funnel on the local day of the planned send, the answer on its own day', () => {
    const answered = {
      ...base,
      status: 'answered',
      sentAt: '2026-10-24T23:21:00Z',
      answeredAt: '2026-10-26T09:00:00Z',
      score: 3,
      counted: { reason: ['waiting-time'] },
    };
    const [funnel, answer] = contributionOf(answered, ZONE);
    expect(funnel).toMatchObject({ cell: { day: '2026-10-25', journeyId: '-' } });
    expect(funnel!.counters).toEqual({ invited: 1, sent: 1, answered: 1 });
    expect(answer).toMatchObject({ cell: { day: '2026-10-26' } });
    expect(answer!.counters).toEqual({
      'score:3': 1,
      'q:reason:answered:detractor': 1,
      'q:reason:option:waiting-time:detractor': 1,
    });
    // the smoke test's surveys are nobody's experience
    expect(contributionOf({ ...answered, segment: 'afterword-smoke' }, ZONE)).toEqual([]);
  });

  it('counts an open survey as expired once every link of its send hour has closed, never early', () => {
    const cell = {
      day: '2026-10-25',
      touchpoint: 't',
      channel: 'c',
      segment: '-',
      journeyId: '-',
      journeyStep: '-',
    };
    const counters = { invited: 2, sent: 2, 'open:2026-10-24T23': 2, expiredWritten: 1 };
    const expiryOf = (hour: string) =>
      addIsoDuration(new Date(Date.parse(`${hour}:00:00Z`) + 3_600_000), 'P7D');
    const at = (iso: string) => rollupRowOf(cell, 'nps', counters, expiryOf, new Date(iso)).expired;
    // sent 23:00-23:59 on the 24th: links close by 00:00 on the 1st of November at the latest
    expect(at('2026-10-31T23:59:59Z')).toBe(1);
    expect(at('2026-11-01T00:00:00Z')).toBe(3);
  });
});
