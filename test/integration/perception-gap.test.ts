/**
 * The perception gap (issue 21): an owner's expected score against the measured one, flagged
 * exactly when the expectation lies outside the measured 95 % interval, in the digest and on the
 * dashboard. Against DynamoDB Local, from rollup rows with known scores.
 */
import { describe, expect, it } from 'vitest';
import { emptyRollupRow } from '../../lib/contracts/report.js';
import { describeGap, perceptionGap } from '../../lib/domain/perception-gap.js';
import { AfterwordConfig } from '../../lib/config/schema.js';
import { buildDigest } from '../../lib/usecases/digest.js';
import { dashboardData } from '../../lib/usecases/dashboard.js';
import { parseDashboardQuery } from '../../lib/usecases/dashboard-query.js';
import { dashboardPage } from '../../lib/web/dashboard.js';
import { testRuntime, withConfig } from '../support/harness.js';
import { randomBytes } from 'node:crypto';
import { CookieSealer } from '../../lib/auth/session.js';
import type { DashboardUser } from '../../lib/auth/roles.js';
import { createDashboardApp } from '../../lib/web/dashboard-app.js';

const day = '2026-11-20';

/** One day's NPS answers: `promoters` 10s, `detractors` 0s. */
function npsRow(touchpoint: string, promoters: number, detractors: number) {
  const scores = new Array<number>(11).fill(0);
  scores[10] = promoters;
  scores[0] = detractors;
  return {
    ...emptyRollupRow({
      day,
      touchpoint,
      channel: 'phone',
      segment: '-',
      journeyStep: '-',
      metric: 'nps',
    }),
    invited: promoters + detractors,
    sent: promoters + detractors,
    delivered: promoters + detractors,
    outcomeKnown: promoters + detractors,
    answered: promoters + detractors,
    scores,
  };
}

describe('the perception gap', () => {
  it('flags an expectation exactly when it lies outside the interval', () => {
    const measured = { score: 20, ciLow: 5, ciHigh: 35, n: 60 };
    expect(perceptionGap('2026-11', 5, measured).outside).toBe(false); // on the bound: inside
    expect(perceptionGap('2026-11', 35, measured).outside).toBe(false);
    expect(perceptionGap('2026-11', 4.9, measured)).toMatchObject({ outside: true, gap: 15.1 });
    expect(perceptionGap('2026-11', 35.1, measured).outside).toBe(true);
    const none = perceptionGap('2026-11', 50, { score: null, ciLow: null, ciHigh: null, n: 0 });
    expect(none).toMatchObject({ outside: false, gap: null });
    expect(describeGap(none)).toBe('owner expected 50 for 2026-11; no answers to compare');
    expect(describeGap(perceptionGap('2026-11', 60, measured))).toBe(
      'owner expected 60 for 2026-11; customers gave 20.0 [5.0, 35.0] (n = 60): customers report worse than expected',
    );
  });

  it('refuses an expectation outside the metric’s scale or for something that is not a month', () => {
    const problems = (expectations: Record<string, number>) => {
      const result = AfterwordConfig.safeParse(
        withConfig((c) => void (c.programs[0]!.expectations = expectations)),
      );
      return result.success
        ? []
        : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems({ '2026-11': 140 })).toEqual([
      'programs.0.expectations.2026-11: must be between -100 and 100 for nps, got 140',
    ]);
    expect(problems({ '2026-13': 10 })).toEqual([
      'programs.0.expectations.2026-13: "2026-13" is not a month: expectations are keyed YYYY-MM',
    ]);
    expect(problems({ '2026-11': -100, '2026-12': 100 })).toEqual([]);
  });

  it('shows each owner’s expectation in the digest and on the dashboard, flagging the ones outside', async () => {
    const rt = await testRuntime({
      config: withConfig((config) => {
        const [support, , , relationship] = config.programs;
        // support-call: 40 promoters, 10 detractors → NPS 60, interval about [38, 75]: 40 is inside.
        support!.expectations = { '2026-11': 40 };
        // relationship: 10 promoters, 40 detractors → NPS −60: the owner's 30 is far outside.
        relationship!.expectations = { '2026-11': 30, '2026-12': -60 };
      }),
    });
    await rt.rollups.replaceDay(day, [
      npsRow('support-call', 40, 10),
      npsRow('relationship', 10, 40),
    ]);

    const digest = await buildDigest(rt, {
      now: new Date('2026-11-21T06:00:00Z'),
      dashboardUrl: 'https://cx.example.com/dashboard',
    });
    expect(digest.text).toMatch(/support-call \(NPS\):.*owner expected 40;/);
    expect(digest.text).toMatch(
      /relationship \(NPS\):.*owner expected 30 \(outside the interval\);/,
    );
    expect(digest.text).toMatch(
      /relationship: owner expected 30 for 2026-11; customers gave -60\.0 \[[-\d.]+, [-\d.]+\] \(n = 50\): customers report worse than expected/,
    );
    expect(digest.text).toMatch(
      /support-call: owner expected 40 for 2026-11; .*: within the interval/,
    );
    expect(digest.html).toContain('Where owners expect something else');
    expect(digest.html).toContain('relationship: owner expected 30 for 2026-11');
    expect(digest.html).not.toMatch(/<li>support-call: owner expected/);

    const query = parseDashboardQuery(
      new URLSearchParams({ range: 'custom', from: '2026-11-14', to: day }),
      day,
    );
    const page = dashboardPage(await dashboardData(rt, query, 'all'), {
      brand: 'Acme',
      user: {
        sub: 'lead',
        name: 'Lead',
        email: 'lead@example.com',
        roles: ['cx-lead'],
      },
      csrf: 'x',
    });
    const rowOf = (touchpoint: string) =>
      page.match(new RegExp(`<tr><td><a href="#${touchpoint}">[\\s\\S]*?</tr>`))![0];
    expect(rowOf('relationship')).toContain('outside the interval');
    expect(rowOf('support-call')).toContain('>40</span>');
    expect(rowOf('support-call')).not.toContain('outside the interval');
    // A view of a month that has ended shows no form to change that month's expectations.
    expect(page).not.toContain('action="/dashboard/expectations"');
    expect(page).toContain('Expected scores are recorded from a view that ends this month.');
  });

  it('lets an owner record their expectation on the dashboard, for their own touchpoints only', async () => {
    const keys = { activeKeyId: 'd1', keys: { d1: randomBytes(32).toString('base64url') } };
    const base = 'http://127.0.0.1:3999';
    const now = new Date('2026-11-21T09:00:00Z');
    const rt = await testRuntime({
      config: withConfig((config) => void (config.programs[0]!.expectations = { '2026-11': 10 })),
      dashboard: {
        sessionKeys: keys,
        oidc: {
          issuer: 'http://127.0.0.1:1/never-asked',
          clientId: 'dashboard',
          redirectUri: `${base}/dashboard/auth/callback`,
          groupsClaim: 'groups',
          allowHttp: true,
        },
      },
    });
    await rt.rollups.replaceDay(day, [npsRow('support-call', 40, 10)]);
    const app = createDashboardApp(rt, { now: () => now });
    const owner: DashboardUser = {
      sub: 'owner-1',
      email: 'support-lead@acme.example',
      roles: ['owner'],
    };
    const cookie = `afterword_session=${await new CookieSealer(keys, () => now.getTime()).seal('session', { user: owner, csrf: 'the-csrf' }, 3600)}`;
    const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      app.request(`${base}/dashboard/expectations`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
        body: new URLSearchParams(fields).toString(),
      });
    const form = {
      csrf: 'the-csrf',
      touchpoint: 'support-call',
      month: '2026-11',
      back: 'range=28d',
    };

    // The form is on the dashboard, with the config's value until one is recorded.
    const before = await (
      await app.request(`${base}/dashboard?range=28d`, { headers: { cookie } })
    ).text();
    expect(before).toContain('action="/dashboard/expectations"');
    expect(before).toMatch(
      /name="touchpoint" value="support-call"[\s\S]*?name="score" inputmode="decimal" size="6" value="10"/,
    );

    expect((await post({ ...form, score: '55', csrf: 'wrong' })).status).toBe(403);
    expect((await post({ ...form, score: '55' }, { 'sec-fetch-site': 'cross-site' })).status).toBe(
      403,
    );
    expect((await post({ ...form, touchpoint: 'order-delivered', score: '80' })).status).toBe(403);
    const tooHigh = await post({ ...form, score: '150' });
    expect(tooHigh.status).toBe(400);
    expect(await tooHigh.text()).toContain(
      'the expected score must be a number from -100 to 100 for NPS',
    );
    expect((await post({ ...form, month: 'November', score: '55' })).status).toBe(400);
    for (const score of ['1e3', 'NaN', '', ' ', '0x10', '٣']) {
      expect((await post({ ...form, score })).status, score).toBe(400);
    }
    // A month that has ended is closed: an expectation set after its results could hide the gap.
    const ended = await post({ ...form, month: '2026-10', score: '55' });
    expect(ended.status).toBe(400);
    expect(await ended.text()).toContain('2026-10 has ended');
    // No session, or a signed-in user with no role: refused, as a foreign origin is.
    const noSession = await app.request(`${base}/dashboard/expectations`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, score: '55' }).toString(),
    });
    expect(noSession.status).toBe(403);
    const nobody = `afterword_session=${await new CookieSealer(keys, () => now.getTime()).seal('session', { user: { sub: 'x', roles: [] }, csrf: 'the-csrf' }, 3600)}`;
    expect((await post({ ...form, score: '55' }, { cookie: nobody })).status).toBe(403);
    expect((await post({ ...form, score: '55' }, { origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect(await rt.expectations.ofMonth('2026-11', ['support-call', 'order-delivered'])).toEqual(
      new Map(),
    );

    const saved = await post({ ...form, score: '55' }, { 'sec-fetch-site': 'same-origin' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/dashboard?range=28d#expectations');
    expect(
      (await rt.expectations.ofMonth('2026-11', ['support-call'])).get('support-call'),
    ).toMatchObject({
      score: 55,
      by: 'owner-1',
      at: now.toISOString(),
    });
    // The recorded 55 wins over the config's 10, and NPS 60 [~38, ~75] holds it: not flagged.
    const after = await (
      await app.request(`${base}/dashboard?range=28d`, { headers: { cookie } })
    ).text();
    const row = after.match(/<tr><td><a href="#support-call">[\s\S]*?<\/tr>/)![0];
    expect(row).toContain('>55</span>');
    expect(row).not.toContain('outside the interval');
    // A redirect only ever goes back to the dashboard.
    const elsewhere = await post({ ...form, score: '50', back: '//evil.example/x' });
    expect(elsewhere.headers.get('location')).toBe('/dashboard#expectations');
    // Each recording is in the access log, with who and which touchpoint and month.
    const logged = (await rt.audit.month('2026-11')).filter((e) => e.action === 'set-expectation');
    expect(logged).toHaveLength(2);
    expect(logged.map((e) => e.scope).sort()).toEqual([
      'support-call 2026-11 50',
      'support-call 2026-11 55',
    ]);
    expect(logged[0]).toMatchObject({ actor: 'owner-1', count: 1 });
  });
});
