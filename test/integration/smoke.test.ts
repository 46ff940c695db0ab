/**
 * `afterword smoke`'s survey: planned from the program's own rules (sent at once, in a time zone
 * whose send window is open, in the sample), and counted by no rollup and no tracking population.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import type { Program } from '../../lib/domain/program.js';
import { isSampled } from '../../lib/domain/contact-rules.js';
import { planSmoke, SMOKE_ADDRESS, SMOKE_SEGMENT, SmokePlanError } from '../../lib/domain/smoke.js';
import { submitAnswer } from '../../lib/usecases/answer.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { rollupDay } from '../../lib/usecases/rollup.js';
import { answersData } from '../../lib/usecases/dashboard.js';
import { parseDashboardQuery } from '../../lib/usecases/dashboard-query.js';
import { plan } from '../../lib/usecases/tracking.js';
import { event, interaction, testRuntime } from '../support/harness.js';

const config = loadConfig();
const program = (touchpoint: string): Program =>
  structuredClone(config.programs.find((p) => p.touchpoint === touchpoint)!);

describe('the smoke survey', () => {
  it('is due now, in a time zone whose send window is open, even at night in London', () => {
    // 03:00 in London: outside support-call's 09:00–20:00.
    const now = new Date('2026-11-24T03:00:00Z');
    const smoke = planSmoke(program('support-call'), now, { preferredTimeZone: 'Europe/London' });
    expect(smoke.detail.customer.timeZone).not.toBe('Europe/London');
    const local = DateTime.fromJSDate(now, { zone: smoke.detail.customer.timeZone });
    expect(local.hour).toBeGreaterThanOrEqual(9);
    expect(local.hour * 60 + local.minute + 10).toBeLessThanOrEqual(20 * 60);
    // Happened `delay` (PT30M) ago, so its send time is now.
    expect(smoke.detail.occurredAt).toBe('2026-11-24T02:30:00.000Z');
    expect(smoke.sendAt.getTime()).toBe(now.getTime());
    expect(smoke.detail.customer).toMatchObject({ email: SMOKE_ADDRESS, segment: SMOKE_SEGMENT });

    // In the window at home: the preferred zone stays.
    const noon = planSmoke(program('support-call'), new Date('2026-11-24T12:00:00Z'), {
      preferredTimeZone: 'Europe/London',
    });
    expect(noon.detail.customer.timeZone).toBe('Europe/London');
  });

  it('is in the sample of a program that samples, and a new customer each time', () => {
    const sampled = { ...program('support-call'), sampling: 0.05 };
    const now = new Date('2026-11-24T12:00:00Z');
    const plans = [1, 2, 3].map(() =>
      planSmoke(sampled, now, { preferredTimeZone: 'Europe/London' }),
    );
    for (const smoke of plans) {
      expect(isSampled(smoke.detail.interactionId, 'support-call', 0.05)).toBe(true);
    }
    expect(new Set(plans.map((p) => p.detail.customer.id)).size).toBe(3);
  });

  it('names why a program cannot take one', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const tracking = config.programs.find((p) => p.kind !== 'event')!;
    expect(() => planSmoke(tracking, now, { preferredTimeZone: 'UTC' })).toThrowError(
      /is a (tracking|periodic) program/,
    );
    const slow = { ...program('support-call'), delay: 'P3D', maxLateness: 'P1D' };
    expect(() => planSmoke(slow, now, { preferredTimeZone: 'UTC' })).toThrowError(SmokePlanError);
    expect(() => planSmoke(slow, now, { preferredTimeZone: 'UTC' })).toThrowError(
      /delay P3D is longer than its maxLateness P1D/,
    );
  });

  it('is counted by no rollup and drawn by no tracking run', async () => {
    const rt = await testRuntime();
    const now = new Date('2026-11-24T12:00:00Z');
    const smoke = planSmoke(program('support-call'), now, { preferredTimeZone: 'Europe/London' });
    const real = interaction({ occurredAt: '2026-11-24T11:30:00Z' });
    const decided = [
      await intake(rt, event(smoke.detail), now),
      await intake(rt, event(real), now),
    ];
    expect(decided.map((d) => d.status)).toEqual(['scheduled', 'scheduled']);
    await dispatch(rt, new Date('2026-11-24T12:01:00Z'));
    for (const { invitationId } of decided) {
      const token = await rt.signer.sign({
        invitationId,
        expiresAt: new Date('2026-11-30T00:00:00Z'),
      });
      await submitAnswer(rt, token, { score: '10' }, new Date('2026-11-24T12:05:00Z'));
    }
    expect((await rt.invitations.get(decided[0]!.invitationId))?.score).toBe(10);

    const rows = await rollupDay(rt, '2026-11-24');
    expect(rows.map((r) => r.segment)).not.toContain(SMOKE_SEGMENT);
    expect(rows.reduce((sum, r) => sum + r.invited, 0)).toBe(1);
    expect(rows.reduce((sum, r) => sum + r.answered, 0)).toBe(1);

    // The dashboard's answers list shows the real answer only.
    const query = parseDashboardQuery(
      new URLSearchParams('from=2026-11-24&to=2026-11-24'),
      '2026-11-24',
    );
    const listed = await answersData(rt, query, 'all');
    expect(listed.answers.map((a) => a.invitationId)).toEqual([decided[1]!.invitationId]);

    // Both customers are in the directory; the relationship survey's population is one.
    const run = await plan(rt, 'relationship', new Date('2026-12-07T09:00:00Z'));
    expect(run.population).toBe(1);
  });
});
