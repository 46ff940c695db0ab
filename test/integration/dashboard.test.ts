/**
 * The dashboard behind sign-in, on DynamoDB Local, signing in through a real OpenID Connect
 * provider (oidc-provider, in-process): the flow, the session cookie and what each role sees.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieSealer } from '../../lib/auth/session.js';
import type { DashboardUser } from '../../lib/auth/roles.js';
import {
  LOCAL_GROUPS_CLAIM,
  LOCAL_OIDC_CLIENT_ID,
  localUsers,
  startLocalOidcProvider,
  type RunningOidcProvider,
} from '../../lib/local/oidc.js';
import { submitAnswer } from '../../lib/usecases/answer.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { rollup } from '../../lib/usecases/rollup.js';
import { createDashboardApp } from '../../lib/web/dashboard-app.js';
import { safeReturnTo } from '../../lib/web/sign-in-routes.js';
import { event, interaction, testRuntime, type TestRuntime } from '../support/harness.js';

const base = 'http://127.0.0.1:3999';
const keys = { activeKeyId: 'd1', keys: { d1: randomBytes(32).toString('base64url') } };
const now = new Date('2026-11-24T09:00:00Z');

let rt: TestRuntime;
let provider: RunningOidcProvider;
let app: ReturnType<typeof createDashboardApp>;
let customerOfSupportCall: string;

beforeAll(async () => {
  const config = (await testRuntime()).config;
  provider = await startLocalOidcProvider({
    port: 0,
    redirectUris: [`${base}/dashboard/auth/callback`],
    postLogoutRedirectUris: [`${base}/dashboard/auth/signed-out`],
    users: localUsers(config),
  });
  rt = await testRuntime({
    dashboard: {
      sessionKeys: keys,
      oidc: {
        issuer: provider.issuer,
        clientId: LOCAL_OIDC_CLIENT_ID,
        redirectUri: `${base}/dashboard/auth/callback`,
        groupsClaim: LOCAL_GROUPS_CLAIM,
        allowHttp: true,
      },
    },
  });
  app = createDashboardApp(rt, { now: () => now });
  // One answered survey on each of two touchpoints, rolled up.
  for (const [touchpoint, channel, score, at] of [
    ['support-call', 'phone', '2', '2026-11-23T10:00:00Z'],
    ['order-delivered', 'web', '1', '2026-11-23T10:00:00Z'],
  ] as const) {
    const detail = interaction({ occurredAt: at, touchpoint, channel });
    if (touchpoint === 'support-call') customerOfSupportCall = detail.customer.id;
    else {
      // Another segment and journey, for the filters.
      detail.customer.segment = 'enterprise';
      detail.journey = { id: 'delivery', step: 'doorstep' };
    }
    const { invitationId } = await intake(rt, event(detail), new Date(at));
    await dispatch(rt, new Date('2026-11-23T12:30:00Z'));
    const invitation = (await rt.invitations.get(invitationId))!;
    const token = await rt.signer.sign({
      invitationId,
      expiresAt: new Date(invitation.expiresAt!),
    });
    await submitAnswer(
      rt,
      token,
      {
        score,
        comment: `Unhappy with ${touchpoint}`,
        ...(touchpoint === 'support-call' ? { 'q.reason': 'had-to-repeat' } : {}),
      },
      new Date('2026-11-23T13:00:00Z'),
    );
  }
  await rollup(rt, { now, days: 3 });
});

afterAll(async () => {
  await provider?.stop();
});

async function sessionCookie(user: DashboardUser, at = now, ttlSeconds = 3600) {
  const sealed = await new CookieSealer(keys, () => at.getTime()).seal(
    'session',
    { user, csrf: 'the-csrf' },
    ttlSeconds,
  );
  return `afterword_session=${sealed}`;
}
const lead: DashboardUser = { sub: 'lead', email: 'cx-leads@acme.example', roles: ['cx-lead'] };
const supportOwner: DashboardUser = {
  sub: 'owner-1',
  email: 'support-lead@acme.example',
  roles: ['owner'],
};
const get = async (path: string, cookie?: string) =>
  app.request(`${base}${path}`, { headers: cookie ? { cookie } : {} });

describe('signing in to the dashboard', () => {
  it('sends an anonymous visitor to sign in and back to the page asked for', async () => {
    const response = await get('/dashboard?range=7d');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      `/dashboard/auth/login?returnTo=${encodeURIComponent('/dashboard?range=7d')}`,
    );
    expect((await get('/dashboard/export.csv')).status).toBe(302);
  });

  it('signs in through the OpenID Connect provider (code + PKCE) and sets a bounded, HttpOnly, SameSite cookie', async () => {
    const jar = new Map<string, string>();
    const go = async (url: string, init: RequestInit = {}) => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const request = {
        ...init,
        redirect: 'manual' as const,
        headers: { ...init.headers, cookie },
      };
      const response = url.startsWith(base)
        ? await app.request(url, request)
        : await fetch(url, request);
      for (const set of response.headers.getSetCookie()) {
        const [pair] = set.split(';');
        const [name, value] = pair!.split('=');
        if (value) jar.set(name!, value);
        else jar.delete(name!);
        if (name === 'afterword_session' && value) {
          expect(set).toMatch(/HttpOnly/i);
          expect(set).toMatch(/SameSite=Lax/i);
          expect(set).toMatch(/Max-Age=28800/);
          expect(set).toMatch(/Path=\/dashboard/);
        }
      }
      return response;
    };
    let url = `${base}/dashboard/auth/login?returnTo=${encodeURIComponent('/dashboard?range=7d')}`;
    let response = await go(url);
    const authorize = new URL(response.headers.get('location')!);
    expect(authorize.origin).toBe(provider.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    for (url = authorize.toString(); ;) {
      response = await go(url);
      if (response.status < 300 || response.status >= 400) break;
      url = new URL(response.headers.get('location')!, url).toString();
    }
    const signInPage = await response.text();
    expect(signInPage).toContain('Local sign-in (development only)');
    const action = new URL(/action="([^"]+)"/.exec(signInPage)![1]!, url).toString();
    response = await go(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=local-cx-lead',
    });
    for (url = action; response.status >= 300 && response.status < 400;) {
      url = new URL(response.headers.get('location')!, url).toString();
      response = await go(url);
    }
    expect(url).toBe(`${base}/dashboard?range=7d`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('CX lead (local)');
    expect(page).toContain('support-call');
    expect(page).toContain('order-delivered');
  });

  it('refuses a tampered, expired or foreign session cookie and sends the visitor to sign in', async () => {
    const good = await sessionCookie(lead);
    const tampered = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const expired = await sessionCookie(lead, new Date(now.getTime() - 9 * 3600_000), 8 * 3600);
    const foreign = `afterword_session=${await new CookieSealer({
      activeKeyId: 'x',
      keys: { x: randomBytes(32).toString('base64url') },
    }).seal('session', { user: lead, csrf: 'x' }, 3600)}`;
    const signInAsTransaction = `afterword_session=${await new CookieSealer(keys, () =>
      now.getTime(),
    ).seal('sign-in', { user: lead, csrf: 'x' }, 3600)}`;
    expect((await get('/dashboard', good)).status).toBe(200);
    for (const cookie of [
      tampered,
      expired,
      foreign,
      signInAsTransaction,
      'afterword_session=junk',
    ]) {
      expect((await get('/dashboard', cookie)).status, cookie.slice(0, 40)).toBe(302);
    }
  });

  it('signs out only with the session’s CSRF token from our own page, then at the issuer', async () => {
    const cookie = await sessionCookie(lead);
    const post = (body: string, headers: Record<string, string> = {}) =>
      app.request(`${base}/dashboard/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
        body,
      });
    expect((await post('csrf=wrong')).status).toBe(403);
    expect((await post('csrf=the-csrf', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const out = await post('csrf=the-csrf', { 'sec-fetch-site': 'same-origin' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toContain(provider.issuer);
    expect(out.headers.getSetCookie().join()).toMatch(/afterword_session=;/);
  });

  it('returns after sign-in only to a dashboard path on this site (no open redirect)', () => {
    expect(safeReturnTo('/dashboard/answers?touchpoint=x')).toBe('/dashboard/answers?touchpoint=x');
    for (const hostile of [
      'https://evil.example',
      '//evil.example',
      '/dash\\board',
      '/other',
      '',
    ]) {
      expect(safeReturnTo(hostile), hostile).toBe('/dashboard');
    }
  });
});

describe('the page itself', () => {
  it('filters by segment, journey and journey step from GET parameters, and exports exactly what it shows', async () => {
    const cookie = await sessionCookie(lead);
    const sectionsOf = (page: string) =>
      [...page.matchAll(/<section id="([^"]+)">/g)].map((match) => match[1]).sort();
    const exportedTouchpoints = async (query: string) =>
      [
        ...new Set(
          (
            (await (await get(`/dashboard/export.json?${query}`, cookie)).json()) as {
              touchpoint: string;
            }[]
          ).map((row) => row.touchpoint),
        ),
      ].sort();
    for (const [query, shown] of [
      ['range=7d', ['order-delivered', 'support-call']],
      ['range=7d&segment=smb', ['support-call']],
      ['range=7d&segment=enterprise', ['order-delivered']],
      ['range=7d&journey=delivery&step=doorstep', ['order-delivered']],
      ['range=7d&journey=onboarding&step=first-call', ['support-call']],
      ['range=7d&channel=web&segment=smb', []],
    ] as const) {
      const page = await (await get(`/dashboard?${query}`, cookie)).text();
      expect(sectionsOf(page), query).toEqual(shown);
      expect(await exportedTouchpoints(query), query).toEqual(shown);
      if (!shown.length)
        expect(page).toContain('No answers or surveys in this period for these filters');
    }
    // The filter form keeps the choice, so the URL can be shared and the page reloaded.
    const page = await (await get('/dashboard?range=7d&segment=enterprise', cookie)).text();
    expect(page).toContain('<option value="enterprise" selected>enterprise</option>');
  });

  it('sends the strict security headers: no script, no framing, no referrer, no caching', async () => {
    const response = await get('/dashboard?range=7d', await sessionCookie(lead));
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).not.toMatch(/<script/i);
  });

  it('marks its cookies Secure when it is served over https', async () => {
    const httpsBase = 'https://surveys.acme.example';
    const secureRt = await testRuntime({
      publicBaseUrl: httpsBase,
      dashboard: {
        ...rt.settings.dashboard!,
        oidc: {
          ...rt.settings.dashboard!.oidc,
          redirectUri: `${httpsBase}/dashboard/auth/callback`,
        },
      },
    });
    const secureApp = createDashboardApp(secureRt, { now: () => now });
    const login = await secureApp.request(
      `${httpsBase}/dashboard/auth/login?returnTo=%2Fdashboard`,
    );
    expect(login.status).toBe(302);
    const [set] = login.headers.getSetCookie();
    expect(set).toMatch(/; Secure/i);
    expect(set).toMatch(/HttpOnly/i);
    const plain = await get('/dashboard/auth/login?returnTo=%2Fdashboard');
    expect(plain.headers.getSetCookie()[0]).not.toMatch(/; Secure/i);
  });
});

describe('what each role sees', () => {
  it('shows a CX lead every touchpoint, drill-down, customers and exports, and logs the views', async () => {
    const cookie = await sessionCookie(lead);
    const answers = await get('/dashboard/answers?range=7d&touchpoint=order-delivered', cookie);
    expect(answers.status).toBe(200);
    expect(await answers.text()).toContain('Unhappy with order-delivered');
    // The questionnaire's answers are read with the comment, in words.
    const supportAnswers = await get('/dashboard/answers?range=7d&touchpoint=support-call', cookie);
    expect(await supportAnswers.text()).toContain(
      '<div class="meta">What disappointed you most?: I had to repeat myself</div>',
    );
    const exported = await get('/dashboard/export.json?range=7d', cookie);
    const rows = (await exported.json()) as { touchpoint: string; day: string }[];
    expect(new Set(rows.map((r) => r.touchpoint))).toEqual(
      new Set(['support-call', 'order-delivered']),
    );
    const csv = await get('/dashboard/export.csv?range=7d&channel=phone', cookie);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain('support-call');
    const page = await (await get('/dashboard?range=7d', cookie)).text();
    expect(page).toContain('<td>I had to repeat myself</td><td class="num">1 · 100 %');
    const drivers = await (await get('/dashboard/export-drivers.csv?range=7d', cookie)).text();
    expect(drivers).toMatch(
      /,support-call,nps,reason,What disappointed you most\?,choice,had-to-repeat,I had to repeat myself,detractor,1,1,100,/,
    );
    const timeline = await get(
      `/dashboard/customers/${encodeURIComponent(customerOfSupportCall)}`,
      cookie,
    );
    expect(timeline.status).toBe(200);
    const log = await rt.audit.month('2026-11');
    expect(log.map((e) => e.action)).toEqual(
      expect.arrayContaining(['view-answers', 'export', 'view-customer']),
    );
    expect(JSON.stringify(log)).not.toMatch(/@|Unhappy/); // who and what, no addresses or comments
  });

  it("shows an owner their touchpoints only: another's comments and customers are a 403", async () => {
    const cookie = await sessionCookie(supportOwner);
    const page = await (await get('/dashboard?range=7d', cookie)).text();
    expect(page).toContain('support-call');
    expect(page).not.toContain('order-delivered');
    expect((await get('/dashboard/answers?range=7d&touchpoint=support-call', cookie)).status).toBe(
      200,
    );
    expect(
      (await get('/dashboard/answers?range=7d&touchpoint=order-delivered', cookie)).status,
    ).toBe(403);
    expect((await get('/dashboard/answers?range=7d', cookie)).status).toBe(403);
    expect((await get('/dashboard?range=7d&touchpoint=order-delivered', cookie)).status).toBe(403);
    const exported = (await (await get('/dashboard/export.json?range=7d', cookie)).json()) as {
      touchpoint: string;
    }[];
    expect(new Set(exported.map((r) => r.touchpoint))).toEqual(new Set(['support-call']));
    expect(
      (await get(`/dashboard/customers/${encodeURIComponent(customerOfSupportCall)}`, cookie))
        .status,
    ).toBe(200);
    const someoneElse = interaction({ touchpoint: 'order-delivered' });
    await intake(rt, event(someoneElse), new Date('2026-11-23T10:00:00Z'));
    expect(
      (await get(`/dashboard/customers/${encodeURIComponent(someoneElse.customer.id)}`, cookie))
        .status,
    ).toBe(403);
  });

  it('says what is wrong with a bad period or filter (400), never a 5xx', async () => {
    const cookie = await sessionCookie(lead);
    for (const query of [
      'from=2026-13-01&to=2026-11-01',
      'from=2026-11-05&to=2026-11-01',
      'from=2020-01-01&to=2026-11-01',
      'range=forever',
      'touchpoint=%3Cscript%3E',
      'range=__proto__',
    ]) {
      const response = await get(`/dashboard?${query}`, cookie);
      expect(response.status, query).toBe(400);
    }
  });
});
