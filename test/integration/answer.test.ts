import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import { SURVEY_ANSWERED } from '../../lib/contracts/survey-events.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { createWebApp, UNSUBSCRIBE_BUDGET_FACTOR } from '../../lib/web/app.js';
import {
  emailsTo,
  event,
  interaction,
  scoreLinks,
  testRuntime,
  type TestRuntime,
} from '../support/harness.js';

const occurred = '2026-11-23T10:00:00Z';
const sentAt = new Date('2026-11-23T10:31:00Z');
const origin = 'http://127.0.0.1:3999';

// One runtime and app for the answer tests; each test makes its own survey.
let rt: TestRuntime;
let clock: Date;
let app: ReturnType<typeof createWebApp>;

beforeAll(async () => {
  rt = await testRuntime();
  app = createWebApp(rt, { now: () => clock });
});

/** Intake and dispatch one survey; returns its invitation id and the path of its link for `score`. */
async function sentSurvey(score = 9, locale = 'en-GB') {
  const detail = interaction({ occurredAt: occurred });
  detail.customer.locale = locale;
  const { invitationId } = await intake(rt, event(detail), new Date(occurred));
  await dispatch(rt, sentAt);
  const [email] = await emailsTo(detail.customer.email!);
  const url = new URL(scoreLinks(email!).get(score)!);
  clock = new Date('2026-11-23T11:00:00Z');
  return { invitationId, path: url.pathname, link: `${url.pathname}${url.search}` };
}

const post = (
  path: string,
  body: Record<string, string>,
  headers: Record<string, string> = { origin },
) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  });

describe('answering through the survey web app', () => {
  it('shows the chosen score preselected on GET and HEAD, and records nothing', async () => {
    const { invitationId, link } = await sentSurvey(9);
    const before = await rt.invitations.get(invitationId);
    const page = await app.request(link);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toMatch(/value="9" required checked/);
    expect(body).toContain('method="post"');
    expect((await app.request(link, { method: 'HEAD' })).status).toBe(200);
    expect(await rt.invitations.get(invitationId)).toEqual(before);
    expect(
      rt.published.events.filter(
        (e) => (e.detail as { invitationId: string }).invitationId === invitationId,
      ),
    ).toEqual([]);
  });

  it('keeps the answer when the bus refuses its events, and counts the failure for the alarm', async () => {
    const { invitationId, path } = await sentSurvey(2);
    const metricLines: string[] = [];
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'afterword-answer');
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      metricLines.push(String(chunk));
      return true;
    });
    const refuse = vi.spyOn(rt.published, 'publish').mockRejectedValue(new Error('bus down'));
    try {
      const response = await post(path, { score: '2' });
      expect(response.status).toBe(200);
    } finally {
      refuse.mockRestore();
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
    }
    expect((await rt.invitations.get(invitationId))?.score).toBe(2);
    // Survey Answered and Survey Follow-up Requested: each failure is one EMF datapoint.
    const failures = metricLines
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"EventPublishFailures"'))
      .map((line) => JSON.parse(line) as { EventPublishFailures: number });
    expect(failures.map((line) => line.EventPublishFailures)).toEqual([1, 1]);
  });

  it('records the answer on POST, thanks the customer, and publishes Survey Answered', async () => {
    const { invitationId, path } = await sentSurvey();
    const response = await post(path, { score: '9', comment: 'Quick and kind.' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Thank you!');
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'answered',
      score: 9,
      comment: 'Quick and kind.',
      answeredAt: clock.toISOString(),
    });
    const published = rt.published.events.find(
      (e) => (e.detail as { invitationId: string }).invitationId === invitationId,
    );
    expect(published).toMatchObject({
      detailType: SURVEY_ANSWERED,
      detail: { score: 9, metric: 'nps', hasComment: true },
    });
    expect(JSON.stringify(published)).not.toContain('Quick and kind');
  });

  it('lets the customer change their mind: the last answer wins and the change is kept', async () => {
    const { invitationId, path } = await sentSurvey();
    await post(path, { score: '3' });
    clock = new Date('2026-11-23T11:05:00Z');
    await post(path, { score: '8' });
    const stored = await rt.invitations.get(invitationId);
    expect(stored).toMatchObject({ score: 8, answerCount: 2 });
    // the history keeps the answers that were replaced, not the current one
    expect(stored?.history?.map((h) => h.score)).toEqual([3]);
  });

  it('refuses an out-of-range score with the reason on the page and records nothing', async () => {
    const { invitationId, path } = await sentSurvey();
    const response = await post(path, { score: '11' });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('must be a whole number from 0 to 10, got 11');
    expect((await rt.invitations.get(invitationId))?.status).toBe('sent');
  });

  it('refuses a cross-origin POST', async () => {
    const { invitationId, path } = await sentSurvey();
    const response = await post(path, { score: '0' }, { origin: 'https://attacker.example' });
    expect(response.status).toBe(403);
    expect((await rt.invitations.get(invitationId))?.status).toBe('sent');
  });

  it('answers a tampered link with a friendly 400 and an expired one with 410', async () => {
    const { invitationId, path } = await sentSurvey();
    const tampered = path.replace(invitationId, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect((await app.request(tampered)).status).toBe(400);
    expect((await post(tampered, { score: '10' })).status).toBe(400);
    clock = new Date('2026-12-01T00:00:00Z'); // after the 7-day expiry
    const closed = await app.request(path);
    expect(closed.status).toBe(410);
    expect(await closed.text()).toContain('This survey has closed');
    expect((await post(path, { score: '10' })).status).toBe(410);
    expect((await rt.invitations.get(invitationId))?.status).toBe('sent');
  });

  it('sends the security headers with every page', async () => {
    const { link } = await sentSurvey();
    const response = await app.request(link);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('answers that need a follow-up, replays and limits', () => {
  const eventsFor = (invitationId: string) =>
    rt.published.events.filter(
      (e) => (e.detail as { invitationId: string }).invitationId === invitationId,
    );

  it("asks the owner to follow up a low score by the due time, with the customer's tick", async () => {
    const { invitationId, path } = await sentSurvey();
    expect(await (await app.request(path)).text()).toContain('You may contact me about my answer.');
    await post(path, { score: '3', followUp: 'yes', comment: 'Waited an hour.' });
    const [answered, followUp] = eventsFor(invitationId);
    expect(answered?.detailType).toBe('Survey Answered');
    expect(followUp).toMatchObject({
      detailType: 'Survey Follow-up Requested',
      detail: {
        score: 3,
        threshold: 6,
        followUp: true,
        hasComment: true,
        owner: { name: 'Support team lead', email: 'support-lead@acme.example' },
        dueBy: '2026-11-23T15:00:00.000Z', // PT4H
      },
    });
    expect(JSON.stringify(followUp)).not.toContain('Waited an hour');
    expect(await rt.invitations.get(invitationId)).toMatchObject({ followUp: true });
  });

  it('asks for no follow-up on a good score', async () => {
    const { invitationId, path } = await sentSurvey();
    await post(path, { score: '9' });
    expect(eventsFor(invitationId).map((e) => e.detailType)).toEqual(['Survey Answered']);
  });

  it('treats a replayed POST as the same answer: nothing changes and nothing is emitted again', async () => {
    const { invitationId, path } = await sentSurvey();
    await post(path, { score: '7', comment: 'Fine.' });
    const first = await rt.invitations.get(invitationId);
    clock = new Date('2026-11-23T11:01:00Z');
    expect((await post(path, { score: '7', comment: 'Fine.' })).status).toBe(200);
    expect(await rt.invitations.get(invitationId)).toEqual(first);
    expect(eventsFor(invitationId)).toHaveLength(1);
  });

  it('takes no stale read for a replay: A, then B, then A again within the lag records A', async () => {
    const { invitationId, path } = await sentSurvey();
    await post(path, { score: '3' });
    const afterA = await rt.invitations.get(invitationId);
    clock = new Date('2026-11-23T11:05:00Z');
    await post(path, { score: '8' });
    // An eventually consistent read that has not caught up with B: it still shows A.
    const read = rt.invitations.get.bind(rt.invitations);
    const lagging = vi
      .spyOn(rt.invitations, 'get')
      .mockImplementation((id, options) =>
        options?.consistent === false && id === invitationId
          ? Promise.resolve(afterA)
          : read(id, options),
      );
    try {
      clock = new Date('2026-11-23T11:06:00Z');
      expect((await post(path, { score: '3' })).status).toBe(200);
    } finally {
      lagging.mockRestore();
    }
    expect(await rt.invitations.get(invitationId)).toMatchObject({ score: 3, answerCount: 3 });
    const answered = eventsFor(invitationId).filter((e) => e.detailType === SURVEY_ANSWERED);
    expect(answered.map((e) => (e.detail as { score: number }).score)).toEqual([3, 8, 3]);
  });

  it('shows a hostile comment back escaped when the form has to be corrected', async () => {
    const { invitationId, path } = await sentSurvey();
    const response = await post(path, {
      score: '99',
      comment: '</textarea><script>alert(1)</script>',
    });
    expect(response.status).toBe(422);
    const body = await response.text();
    expect(body).not.toContain('<script>');
    expect(body).toContain('&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((await rt.invitations.get(invitationId))?.status).toBe('sent');
  });

  it("says an expired survey has closed in the customer's language", async () => {
    const { path } = await sentSurvey(9, 'de-DE');
    clock = new Date('2026-12-31T00:00:00Z');
    const page = await app.request(path);
    expect(page.status).toBe(410);
    const body = await page.text();
    expect(body).toContain('lang="de"');
    expect(body).toContain('Diese Umfrage ist beendet');
  });

  it('limits how many requests one client makes, with a friendly 429', async () => {
    const limited = createWebApp(rt, {
      now: () => clock,
      rateLimit: { requests: 3, windowMs: 60_000, clientKey: () => 'one-client' },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await limited.request('/s/not-a-token')).status);
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    const limitedPage = await limited.request('/s/not-a-token');
    expect(limitedPage.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limitedPage.text()).toContain('Too many requests');
  });

  it('keeps unsubscribing working for a client whose survey budget is spent, on a budget of its own', async () => {
    const limited = createWebApp(rt, {
      now: () => clock,
      rateLimit: { requests: 3, windowMs: 60_000, clientKey: () => 'one-client' },
    });
    for (let i = 0; i < 5; i++) await limited.request('/s/not-a-token');
    expect((await limited.request('/s/not-a-token')).status).toBe(429);
    const unsubscribe: number[] = [];
    for (let i = 0; i < 3 * UNSUBSCRIBE_BUDGET_FACTOR + 1; i++) {
      unsubscribe.push((await limited.request('/u/not-a-token')).status);
    }
    expect(unsubscribe.slice(0, -1).every((status) => status === 400)).toBe(true);
    expect(unsubscribe.at(-1)).toBe(429);
  });
});

describe('one genuine link in hostile hands', () => {
  const eventsFor = (invitationId: string) =>
    rt.published.events.filter(
      (e) => (e.detail as { invitationId: string }).invitationId === invitationId,
    );

  it('records ten identical concurrent POSTs once, with one set of events', async () => {
    const { invitationId, path } = await sentSurvey();
    const responses = await Promise.all(
      Array.from({ length: 10 }, async () => post(path, { score: '3', comment: 'Too slow.' })),
    );
    expect(responses.map((r) => r.status)).toEqual(new Array(10).fill(200));
    const stored = await rt.invitations.get(invitationId);
    expect(stored).toMatchObject({ score: 3, answerCount: 1 });
    expect(stored?.history ?? []).toEqual([]);
    expect(eventsFor(invitationId).map((e) => e.detailType)).toEqual([
      'Survey Answered',
      'Survey Follow-up Requested',
    ]);
  });

  it('bounds a flood of changing answers: ten answers at most, one follow-up, no 5xx', async () => {
    const { invitationId, path } = await sentSurvey();
    const comment = 'x'.repeat(1_900);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      clock = new Date(Date.parse('2026-11-23T11:00:00Z') + i * 1000);
      const response = await post(path, { score: i % 2 ? '9' : '2', comment: `${i} ${comment}` });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 10)).toEqual(new Array(10).fill(200));
    expect(statuses.slice(10)).toEqual(new Array(20).fill(409));
    const stored = await rt.invitations.get(invitationId);
    expect(stored).toMatchObject({ answerCount: 10, score: 9 }); // the tenth answer stands
    expect(stored?.history).toHaveLength(9);
    expect(JSON.stringify(stored).length).toBeLessThan(30_000); // far from DynamoDB's 400 KB
    const types = eventsFor(invitationId).map((e) => e.detailType);
    expect(types.filter((t) => t === 'Survey Answered')).toHaveLength(10);
    expect(types.filter((t) => t === 'Survey Follow-up Requested')).toHaveLength(1);
    expect(types.filter((t) => t === 'Survey Follow-up Withdrawn')).toHaveLength(1);
    const limited = await post(path, { score: '5' });
    expect(await limited.text()).toContain('your latest answer stands');
  });

  it('withdraws the follow-up once when a low score is raised above the threshold', async () => {
    const { invitationId, path } = await sentSurvey();
    await post(path, { score: '4' });
    clock = new Date('2026-11-23T11:10:00Z');
    await post(path, { score: '8' });
    const events = eventsFor(invitationId);
    expect(events.map((e) => e.detailType)).toEqual([
      'Survey Answered',
      'Survey Follow-up Requested',
      'Survey Answered',
      'Survey Follow-up Withdrawn',
    ]);
    expect(events[3]!.detail).toMatchObject({ score: 8, threshold: 6 });
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      followUpRequestedAt: '2026-11-23T11:00:00.000Z',
      followUpWithdrawnAt: '2026-11-23T11:10:00.000Z',
    });
  });

  it('takes only digits within the scale as a score', async () => {
    const { invitationId, path } = await sentSurvey();
    for (const score of ['', '0x5', '1e1', ' 5', '5.0', '+5', '-0', '05x', '١']) {
      const response = await post(path, { score });
      expect(response.status, JSON.stringify(score)).toBe(422);
    }
    const noScore = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: 'comment=hello',
    });
    expect(noScore.status).toBe(422);
    expect(await noScore.text()).toContain('choose a score');
    expect((await rt.invitations.get(invitationId))?.status).toBe('sent');
  });

  it('refuses a body over 16 KB with 413 before reading it, and records nothing', async () => {
    const { invitationId, path } = await sentSurvey();
    const over = await post(path, { score: '9', comment: 'y'.repeat(17 * 1024) });
    expect(over.status).toBe(413);
    const huge = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: `score=9&comment=${'z'.repeat(64 * 1024 * 1024)}`,
    });
    expect(huge.status).toBe(413);
    expect((await rt.invitations.get(invitationId))?.status).toBe('sent');
  });

  it('answers every hostile token with a 4xx, never a 5xx', async () => {
    const { path } = await sentSurvey();
    const [, , expiry, mac] = path.split('/').pop()!.split('.');
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype'];
    const tokens = [
      ...names.flatMap((name) => [
        `${name}.x.y.z`,
        `${name}.inv.${expiry}.${mac}`,
        `k.${name}.${expiry}.${mac}`,
        `test1.${name}.${expiry}.${mac}`,
      ]),
      '....',
      '%00',
      'a'.repeat(5000),
      `test1.${'A'.repeat(22)}.99999999999.${mac}`,
    ];
    for (const token of tokens) {
      for (const route of ['s', 'u']) {
        const url = `/${route}/${encodeURIComponent(token)}`;
        const got = await app.request(url);
        expect(got.status, `GET ${url.slice(0, 60)}`).toBeGreaterThanOrEqual(400);
        expect(got.status, `GET ${url.slice(0, 60)}`).toBeLessThan(500);
        const posted = await post(url, { score: '9' });
        expect(posted.status, `POST ${url.slice(0, 60)}`).toBeGreaterThanOrEqual(400);
        expect(posted.status, `POST ${url.slice(0, 60)}`).toBeLessThan(500);
      }
    }
  });
});

describe('cross-site requests', () => {
  it('refuses a POST a browser marks as cross-site, and accepts our own form\'s (Origin "null" under no-referrer)', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred });
    await intake(rt, event(detail), new Date(occurred));
    await dispatch(rt, sentAt);
    const [email] = await emailsTo(detail.customer.email!);
    const path = new URL(scoreLinks(email!).get(8)!).pathname;
    const app = createWebApp(rt, { now: () => new Date('2026-11-23T11:00:00Z') });
    const post = (headers: Record<string, string>) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: 'score=8',
      });
    expect((await post({ 'sec-fetch-site': 'cross-site', origin: 'null' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect(await rt.invitations.get(path.split('/').pop()!.split('.')[1]!)).toMatchObject({
      status: 'sent',
    });
    expect((await post({ 'sec-fetch-site': 'same-origin', origin: 'null' })).status).toBe(200);
  });
});

describe('the page a customer reads', () => {
  const eventsFor = (invitationId: string) =>
    rt.published.events.filter(
      (e) => (e.detail as { invitationId: string }).invitationId === invitationId,
    );

  it("says in the customer's language that the answer is saved only when it is sent", async () => {
    const english = await (await app.request((await sentSurvey(9)).link)).text();
    expect(english).toContain('Your answer is saved only when you press “Send my answer”.');
    expect(english).toMatch(
      /<p class="saved" id="saved">[^<]+<\/p>\n<button [^>]*aria-describedby="saved"/,
    );
    const german = await (await app.request((await sentSurvey(9, 'de-DE')).link)).text();
    expect(german).toContain(
      'Ihre Antwort wird erst gespeichert, wenn Sie auf „Antwort senden“ tippen.',
    );
  });

  it("names the interaction, its day in the customer's time zone", async () => {
    const page = await (await app.request((await sentSurvey(9)).link)).text();
    expect(page).toContain('<p class="about">About your call with us on Monday 23 November.</p>');
  });

  it('shows an answered link its answer, prefilled to change, and the GET records nothing', async () => {
    const { invitationId, path } = await sentSurvey();
    await post(path, { score: '3', comment: 'Waited <an> hour.', followUp: 'yes' });
    const stored = await rt.invitations.get(invitationId);
    const published = eventsFor(invitationId).length;
    clock = new Date('2026-11-24T09:00:00Z');

    const page = await app.request(path);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('<h1>You answered 3 on Monday 23 November.</h1>');
    expect(body).toContain('<blockquote>Waited &lt;an&gt; hour.</blockquote>');
    expect(body).toContain('<h2 class="change">Change your answer</h2>');
    expect(body).toMatch(/value="3" required checked/);
    expect(body).toContain('>Waited &lt;an&gt; hour.</textarea>');
    expect(body).toMatch(/name="followUp" value="yes" checked/);
    // A score tapped in the email again is preselected, the answer given still shown.
    const tapped = await (await app.request(`${path}?score=8`)).text();
    expect(tapped).toMatch(/value="8" required checked/);
    expect(tapped).toContain('You answered 3 on Monday 23 November.');

    expect(await rt.invitations.get(invitationId)).toEqual(stored);
    expect(eventsFor(invitationId)).toHaveLength(published);
  });

  it('shows the answer that stands, with no form, once it can no longer be changed', async () => {
    const { path } = await sentSurvey();
    for (let i = 0; i < 10; i++) {
      clock = new Date(Date.parse('2026-11-23T11:00:00Z') + i * 1000);
      expect((await post(path, { score: String(i) })).status).toBe(200);
    }
    const page = await app.request(path);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('You answered 9 on Monday 23 November.');
    expect(body).toContain('so this answer stands');
    expect(body).not.toContain('<form');
    expect((await post(path, { score: '4' })).status).toBe(409);
  });

  it('says an answered link has closed once it expires', async () => {
    const { path } = await sentSurvey();
    await post(path, { score: '9' });
    clock = new Date('2026-12-01T00:00:00Z'); // after the 7-day expiry
    const page = await app.request(path);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('This survey has closed');
  });

  it('lets the page load images from nowhere but itself when no logo is configured', async () => {
    const response = await app.request((await sentSurvey()).link);
    expect(response.headers.get('content-security-policy')).toContain("img-src 'self';");
    expect(await response.text()).not.toContain('<img');
  });
});

describe('a branded, right-to-left survey page', () => {
  let branded: TestRuntime;
  let brandedApp: ReturnType<typeof createWebApp>;
  beforeAll(async () => {
    const config = loadConfig(
      fileURLToPath(new URL('../fixtures/config/branded-rtl.config.json', import.meta.url)),
    );
    config.sending.maxSendRate = 1000;
    branded = await testRuntime({ config });
    brandedApp = createWebApp(branded, { now: () => new Date('2026-11-23T11:00:00Z') });
  });

  async function brandedLink(locale: string) {
    const detail = interaction({ occurredAt: occurred });
    detail.customer.locale = locale;
    detail.attributes = { agent: 'Sam' };
    await intake(branded, event(detail), new Date(occurred));
    await dispatch(branded, sentAt);
    const [email] = await emailsTo(detail.customer.email!);
    const url = new URL(scoreLinks(email!).get(7)!);
    return { email: email!, link: `${url.pathname}${url.search}` };
  }

  it('writes Arabic right to left, in its own words, and sends it from the brand by name', async () => {
    const { email, link } = await brandedLink('ar-SA');
    expect(email.from).toMatch(/^=\?UTF-8\?B\?.+\?= <surveys@acme\.example>$/);
    const page = await brandedApp.request(link);
    const body = await page.text();
    expect(body).toContain('<html lang="ar" dir="rtl">');
    expect(body).toContain('لا تُحفظ إجابتك إلا عند الضغط على «أرسل إجابتي».');
    expect(body).toContain('بخصوص مكالمتك مع Sam يوم');
    expect(body).toMatch(/value="7" required checked/);
  });

  it("shows the logo, lets only the logo's origin load images, and styles in the accent", async () => {
    const { link } = await brandedLink('en-GB');
    const page = await brandedApp.request(link);
    expect(page.headers.get('content-security-policy')).toContain(
      "img-src 'self' https://assets.acme.example;",
    );
    const body = await page.text();
    expect(body).toContain(
      '<img src="https://assets.acme.example/logo.png" alt="Acme" height="40">',
    );
    expect(body).toContain('<html lang="en" dir="ltr">');
    expect(body).toContain('About your call with Sam on Monday 23 November.');
    const css = await (await brandedApp.request('/assets/survey.css')).text();
    expect(css).toContain('button{');
    expect(css).toMatch(/button\{[^}]*background:#0f766e;color:#ffffff/);
    expect(css).not.toContain('#1d4ed8');
  });
});
