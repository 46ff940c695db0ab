/**
 * The review programme (issue 21): happy customers are invited on the thank-you page to review
 * publicly, through a signed redirect that counts the click and only ever goes to the destination
 * the config names for the survey's locale. Against DynamoDB Local and the SES emulator, through
 * the survey web app.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createErasureHandler } from '../../lib/handlers/erasure.js';
import { AfterwordConfig } from '../../lib/config/schema.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { recordSesFeedback } from '../../lib/usecases/feedback.js';
import { intake } from '../../lib/usecases/intake.js';
import { report } from '../../lib/usecases/report.js';
import { recomputeDay, rollupDay } from '../../lib/usecases/rollup.js';
import { createWebApp } from '../../lib/web/app.js';
import { toCsv } from '../../lib/contracts/report-csv.js';
import { captureLog } from '../support/log-capture.js';
import { buildDigest } from '../../lib/usecases/digest.js';
import { dashboardData } from '../../lib/usecases/dashboard.js';
import { parseDashboardQuery } from '../../lib/usecases/dashboard-query.js';
import { dashboardPage } from '../../lib/web/dashboard.js';
import {
  emailsTo,
  event,
  interaction,
  scoreLinks,
  testRuntime,
  withConfig,
  type TestRuntime,
} from '../support/harness.js';

const day = '2026-11-23';
const occurred = `${day}T10:00:00Z`;
const origin = 'http://127.0.0.1:3999';
const ENGLISH = 'https://reviews.example.com/acme?utm_source=afterword';
const GERMAN = 'https://bewertungen.example.de/acme';

let rt: TestRuntime;
let app: ReturnType<typeof createWebApp>;
const clock = new Date(`${day}T11:00:00Z`);

beforeAll(async () => {
  rt = await testRuntime({
    config: withConfig((config) => {
      const support = config.programs.find((p) => p.touchpoint === 'support-call')!;
      support.review = { destinations: { en: ENGLISH, 'de-DE': GERMAN }, followUpOncePer: 'P90D' };
    }),
  });
  app = createWebApp(rt, { now: () => clock });
});

/** One support call's survey, sent and answered with `score` in `locale`: its thank-you page. */
async function answered(score: number, locale: string) {
  const detail = interaction({ occurredAt: occurred });
  detail.customer.locale = locale;
  const { invitationId } = await intake(rt, event(detail), new Date(occurred));
  await dispatch(rt, new Date(`${day}T10:31:00Z`));
  const [email] = await emailsTo(detail.customer.email!);
  const path = new URL(scoreLinks(email!).get(score)!).pathname;
  const response = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({ score: String(score) }).toString(),
  });
  expect(response.status).toBe(200);
  const page = await response.text();
  const review = /href="(\/r\/[^"]+)"/.exec(page)?.[1];
  return { invitationId, page, review };
}

describe('the review programme', () => {
  it('refuses a destination that is not an https URL, naming it', () => {
    const problems = (destinations: Record<string, string>) => {
      const result = AfterwordConfig.safeParse(
        withConfig((c) => void (c.programs[0]!.review = { destinations, followUpOncePer: 'P90D' })),
      );
      return result.success
        ? []
        : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems({ en: 'javascript:alert(1)' })).toEqual([
      'programs.0.review.destinations.en: must be an https URL, such as "https://www.trustpilot.com/review/example.com", got "javascript:alert(1)"',
    ]);
    expect(problems({ en: 'http://reviews.example.com' })).toHaveLength(1);
    expect(problems({ en: 'https://user:secret@reviews.example.com' })).toHaveLength(1);
    expect(problems({ en: '//reviews.example.com' })).toHaveLength(1);
    // parsed leniently by URL, resolved against our own origin by a browser, or unsendable
    for (const text of [
      'https:evil.example.com',
      'https:/evil.example.com',
      'https://@evil.example.com',
      'https://reviews.example.com/ acme',
      'https://reviews.example.com/\r\nX: y',
      ' https://reviews.example.com',
    ]) {
      expect(problems({ en: text }), JSON.stringify(text)).toHaveLength(1);
    }
    expect(problems({ 'not a locale': ENGLISH })).toHaveLength(1);
    expect(problems({})).toEqual(['programs.0.review.destinations: must name a destination']);
    expect(problems({ en: ENGLISH })).toEqual([]);
  });

  it('invites promoters only, in a locale with a destination of its own or of its language', async () => {
    const promoter = await answered(10, 'en-GB');
    expect(promoter.review).toBeDefined();
    expect(promoter.page).toContain('Write a review');
    expect(promoter.page).not.toContain(ENGLISH); // the page links to the redirect, not the site
    expect((await answered(9, 'de-DE')).page).toContain('Bewertung schreiben');
    for (const [score, locale] of [
      [8, 'en-GB'], // a passive
      [3, 'en-GB'], // a detractor
      [10, 'fr-FR'], // no destination for French
      [10, 'de-AT'], // de-DE has one; neither de-AT nor de does
    ] as const) {
      const { review, page } = await answered(score, locale);
      expect(review, `${score} in ${locale}`).toBeUndefined();
      expect(page).not.toContain('class="review"');
    }
  });

  it('redirects only to the configured destination, counting the click once', async () => {
    const { invitationId, review } = await answered(10, 'en-GB');
    const first = await app.request(review!);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(ENGLISH);
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    const clickedAt = (await rt.invitations.get(invitationId))!.reviewClickedAt;
    expect(clickedAt).toBe(clock.toISOString());
    // again: the same destination, the click not counted twice
    expect((await app.request(review!)).headers.get('location')).toBe(ENGLISH);
    expect((await rt.invitations.get(invitationId))!.reviewClickedAt).toBe(clickedAt);
    // a link checker's HEAD goes the same way and records nothing
    const checked = await answered(10, 'en-GB');
    const head = await app.request(checked.review!, { method: 'HEAD' });
    expect(head.status).toBe(303);
    expect((await rt.invitations.get(checked.invitationId))!.reviewClickedAt).toBeUndefined();

    // Nothing else goes anywhere: a tampered token, a survey link's token, a foreign URL.
    const token = review!.slice('/r/'.length);
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const path of [
      `/r/${tampered}`,
      `/r/${await rt.signer.sign({ invitationId, expiresAt: new Date('2026-12-07T00:00:00Z') })}`,
      `/r/${encodeURIComponent('https://evil.example.com')}`,
      `/r/${encodeURIComponent('javascript:alert(1)')}`,
      `/r/${token}?to=https://evil.example.com`.replace(token, tampered),
    ]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('location'), path).toBeNull();
    }
    // a genuine review token of an answer not invited (a detractor's) leads nowhere
    const detractor = await answered(2, 'en-GB');
    const forged = await rt.signer.sign(
      { invitationId: detractor.invitationId, expiresAt: new Date('2026-12-07T00:00:00Z') },
      'review',
    );
    const refused = await app.request(`/r/${forged}`);
    expect(refused.status).toBe(404);
    expect(refused.headers.get('location')).toBeNull();
  });

  it('keeps a click with the answer it was made on, and no stale write can lose it', async () => {
    const { invitationId, review } = await answered(10, 'en-GB');
    const beforeClick = (await rt.invitations.get(invitationId))!;
    expect((await app.request(review!)).status).toBe(303);
    // An answer written from what was read before the click would put the index key back
    // without it: its condition fails, and the answer is decided again from what is stored.
    const stale = await rt.answers.recordAnswer(
      beforeClick,
      { score: 9, reviewOffered: true },
      clock,
      { request: false, withdraw: false },
    );
    expect(stale.recorded).toBe(false);
    expect((await rt.invitations.get(invitationId))!.reviewClickedAt).toBe(clock.toISOString());
    // A new answer is a new invitation: the click stays with the answer it was made on.
    const current = (await rt.invitations.get(invitationId))!;
    const changed = await rt.answers.recordAnswer(
      current,
      { score: 9, reviewOffered: true },
      clock,
      { request: false, withdraw: false },
    );
    expect(changed.recorded).toBe(true);
    const now = (await rt.invitations.get(invitationId))!;
    expect(now).toMatchObject({ score: 9, reviewOffered: true });
    expect(now.reviewClickedAt).toBeUndefined();
  });

  it('counts invitations, clicks and the click rate per touchpoint, the counters agreeing with the recompute', async () => {
    const asOf = new Date(`${day}T23:00:00Z`);
    const counted = await rollupDay(rt, day, asOf);
    expect(counted).toEqual(await recomputeDay(rt, day, asOf));
    const [row] = (await report(rt, { from: day, to: day, by: ['touchpoint'] })).filter(
      (r) => r.touchpoint === 'support-call',
    );
    // the tests above: invited 10 en-GB, 9 de-DE, 10 en-GB (followed), 10 en-GB (checked by HEAD
    // only), 10 then 9 en-GB (followed, then answered again); the others were not invited
    expect(row).toMatchObject({ reviewOffered: 5, reviewClicked: 1 });
    expect(row!.reviewClickRate).toBeCloseTo(1 / 5, 10);
    const csv = toCsv([row!]).trim().split('\n');
    const column = (name: string) => csv[1]!.split(',')[csv[0]!.split(',').indexOf(name)];
    expect(['reviewOffered', 'reviewClicked', 'reviewClickRate'].map(column)).toEqual([
      '5',
      '1',
      '0.2',
    ]);

    const digest = await buildDigest(rt, {
      now: new Date('2026-11-24T06:00:00Z'),
      dashboardUrl: 'https://cx.example.com/dashboard',
    });
    expect(digest.text).toContain('support-call: 5 invited to review, 1 followed (20 %, low n)');
    expect(digest.html).toContain('Invited to review');
    const query = parseDashboardQuery(
      new URLSearchParams({ range: 'custom', from: day, to: day }),
      day,
    );
    const page = dashboardPage(await dashboardData(rt, query, 'all'), {
      brand: 'Acme',
      user: { sub: 'lead', name: 'Lead', email: 'lead@example.com', roles: ['cx-lead'] },
      csrf: 'x',
    });
    expect(page).toMatch(
      /<tr><td>support-call<\/td><td class="num">5 <span class="low-n-mark">low n<\/span><\/td><td class="num">1<\/td><td class="num">20 %<\/td><\/tr>/,
    );
  });
});

describe('the review follow-up email', () => {
  const answeredAt = new Date(`${day}T11:00:00Z`);
  const due = new Date(answeredAt.getTime() + 2 * 86_400_000);
  const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);
  let followUps: TestRuntime;
  let web: ReturnType<typeof createWebApp>;

  beforeAll(async () => {
    followUps = await testRuntime({
      config: withConfig((config) => {
        // a customer may be surveyed again a minute later: two answers of one person
        config.contactRules.globalCoolDown = 'PT1M';
        const support = config.programs.find((p) => p.touchpoint === 'support-call')!;
        delete support.sendWindow;
        delete support.coolDown;
        support.review = {
          destinations: { en: ENGLISH },
          followUpAfter: 'P2D',
          followUpOncePer: 'P90D',
        };
      }),
    });
    web = createWebApp(followUps, { now: () => answeredAt });
  });

  /** A survey of `customerId`, sent and answered with `score` at `answeredAt`. */
  async function answer(customerId: string, score: number, occurredAt: string) {
    const detail = interaction({ occurredAt });
    detail.customer.id = customerId;
    detail.customer.email = `${customerId}@example.com`;
    const { invitationId } = await intake(followUps, event(detail), new Date(occurredAt));
    await dispatch(followUps, minutes(new Date(occurredAt), 31));
    // the newest email to them: this survey's
    const survey = (await emailsTo(detail.customer.email)).at(-1)!;
    const path = new URL(scoreLinks(survey).get(score)!).pathname;
    const page = await (
      await web.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({ score: String(score) }).toString(),
      })
    ).text();
    return { invitationId, email: detail.customer.email, page, path };
  }

  const reviewEmailsTo = async (address: string) =>
    (await emailsTo(address)).filter((email) => email.subject.startsWith('Would you share'));

  it('goes once, two days after a promoter’s answer, with the review link and a one-click unsubscribe', async () => {
    const { invitationId, email } = await answer('rev-once', 10, `${day}T10:00:00Z`);
    expect((await dispatch(followUps, minutes(due, -1))).reviewEmails).toBe(0);
    expect(await reviewEmailsTo(email)).toHaveLength(0);
    expect((await dispatch(followUps, minutes(due, 1))).reviewEmails).toBe(1);
    const [sent] = await reviewEmailsTo(email);
    expect(sent!.subject).toBe('Would you share your experience with Acme?');
    expect(sent!.headers).toEqual(
      expect.arrayContaining([
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ]),
    );
    const link = /https?:\/\/\S+\/r\/\S+/.exec(sent!.body.text!)![0];
    const followed = await web.request(new URL(link).pathname);
    expect(followed.headers.get('location')).toBe(ENGLISH);
    expect(sent!.body.text).toMatch(/Unsubscribe: https?:\/\/\S+\/u\//);
    // once: a later tick sends nothing more
    expect((await dispatch(followUps, minutes(due, 30))).reviewEmails).toBe(0);
    expect(await reviewEmailsTo(email)).toHaveLength(1);
    // taken at the tick that sent it (the tick's clock runs on from its start)
    const takenAt = Date.parse((await followUps.invitations.get(invitationId))!.reviewEmailAt!);
    expect(takenAt).toBeGreaterThanOrEqual(minutes(due, 1).getTime());
    expect(takenAt).toBeLessThan(minutes(due, 2).getTime());
  });

  it('goes to nobody who followed the invitation, opted out, is not a promoter, or had one within the period', async () => {
    const clicked = await answer('rev-clicked', 10, `${day}T10:01:00Z`);
    const review = /href="(\/r\/[^"]+)"/.exec(clicked.page)![1]!;
    expect((await web.request(review)).status).toBe(303);

    const optedOut = await answer('rev-opted-out', 9, `${day}T10:02:00Z`);
    await followUps.contacts.optOut('rev-opted-out', minutes(answeredAt, 5));

    const detractor = await answer('rev-detractor', 3, `${day}T10:03:00Z`);

    // one person, two promoter answers: the second's email falls within the period
    const first = await answer('rev-twice', 10, `${day}T10:04:00Z`);
    const second = await answer('rev-twice', 10, `${day}T10:06:00Z`);

    expect((await dispatch(followUps, minutes(due, 10))).reviewEmails).toBe(1);
    expect(await reviewEmailsTo(clicked.email)).toHaveLength(0);
    expect(await reviewEmailsTo(optedOut.email)).toHaveLength(0);
    expect(await reviewEmailsTo(detractor.email)).toHaveLength(0);
    expect(await reviewEmailsTo(first.email)).toHaveLength(1);
    expect(first.invitationId).not.toBe(second.invitationId);
    expect((await followUps.invitations.get(second.invitationId))!.reviewEmailAt).toBeDefined();
  });

  it('sends no second email when the customer answers again, and none to an erased customer', async () => {
    const again = await answer('rev-again', 10, `${day}T10:10:00Z`);
    expect((await dispatch(followUps, minutes(due, 40))).reviewEmails).toBe(1);
    // a new happy answer after the email: not queued again
    const changed = await web.request(again.path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ score: '9' }).toString(),
    });
    expect(changed.status).toBe(200);
    expect((await followUps.invitations.get(again.invitationId))!.score).toBe(9);

    const erased = await answer('rev-erased', 10, `${day}T10:11:00Z`);
    const erase = createErasureHandler(followUps, () => minutes(answeredAt, 30));
    await erase({
      detail: { version: '1', requestId: `req-${randomUUID()}`, customerId: 'rev-erased' },
    });
    await dispatch(followUps, minutes(due, 24 * 60 * 3));
    expect(await reviewEmailsTo(again.email)).toHaveLength(1);
    expect(await reviewEmailsTo(erased.email)).toHaveLength(0);
  });

  it('lets SES feedback of the email suppress the address without touching the survey’s funnel', async () => {
    const { invitationId, email } = await answer('rev-bounce', 10, `${day}T10:08:00Z`);
    expect((await dispatch(followUps, minutes(due, 20))).reviewEmails).toBe(1);
    await recordSesFeedback(followUps, {
      eventType: 'Bounce',
      mail: {
        messageId: 'review-bounce',
        timestamp: minutes(due, 21).toISOString(),
        tags: { invitationId: [invitationId], kind: ['review'] },
      },
      bounce: { bounceType: 'Permanent', timestamp: minutes(due, 21).toISOString() },
    });
    expect((await followUps.invitations.get(invitationId))!.bouncedAt).toBeUndefined();
    expect(await followUps.suppressions.reasonFor(email)).toBe('bounce');
  });
});

describe('the review follow-up email in the customer’s send window', () => {
  const at = (time: string) => new Date(`${time}Z`);
  const next = '2026-11-24';
  let windowed: TestRuntime;
  let web: ReturnType<typeof createWebApp>;
  let webNow = at(`${day}T11:00:00`);

  beforeAll(async () => {
    windowed = await testRuntime({
      config: withConfig((config) => {
        const support = config.programs.find((p) => p.touchpoint === 'support-call')!;
        // the example's window, 09:00 to 20:00 in the customer's zone, stays
        expect(support.sendWindow).toEqual({ start: '09:00', end: '20:00' });
        delete support.coolDown;
        support.review = {
          destinations: { en: ENGLISH },
          followUpAfter: 'PT12H',
          followUpOncePer: 'P90D',
        };
      }),
    });
    web = createWebApp(windowed, { now: () => webNow });
  });

  const reviewEmailsTo = async (address: string) =>
    (await emailsTo(address)).filter((email) => email.subject.startsWith('Would you share'));

  /** A promoter's answer at 11:00 UTC, from a customer in UTC: its email falls due at 23:00. */
  async function promoter(customerId: string) {
    const detail = interaction({ occurredAt: `${day}T10:00:00Z` });
    detail.customer = {
      ...detail.customer,
      id: customerId,
      email: `${customerId}@example.com`,
      timeZone: 'UTC',
    };
    const { invitationId } = await intake(windowed, event(detail), at(`${day}T10:00:00`));
    await dispatch(windowed, at(`${day}T10:31:00`));
    const survey = (await emailsTo(detail.customer.email!)).at(-1)!;
    const path = new URL(scoreLinks(survey).get(10)!).pathname;
    const give = async (when: Date, score: number) => {
      webNow = when;
      const response = await web.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({ score: String(score) }).toString(),
      });
      expect(response.status).toBe(200);
    };
    await give(at(`${day}T11:00:00`), 10);
    return { invitationId, email: detail.customer.email!, giveAgain: give };
  }

  it('waits outside the window and goes when it opens', async () => {
    const { email } = await promoter('rev-window');
    expect((await dispatch(windowed, at(`${day}T23:01:00`))).reviewEmails).toBe(0);
    expect((await dispatch(windowed, at(`${next}T08:59:00`))).reviewEmails).toBe(0);
    expect(await reviewEmailsTo(email)).toHaveLength(0);
    expect((await dispatch(windowed, at(`${next}T09:01:00`))).reviewEmails).toBe(1);
    expect(await reviewEmailsTo(email)).toHaveLength(1);
  });

  it('keeps the later time of an answer given again while the dispatcher put the email off', async () => {
    const { invitationId, email, giveAgain } = await promoter('rev-window-again');
    // the dispatcher reads the invitation (due at 23:00); the customer answers again at 23:00:30,
    // which moves the email to 11:00:30 tomorrow; then the dispatcher puts off what it read
    const read = windowed.invitations.get.bind(windowed.invitations);
    const interleave = vi
      .spyOn(windowed.invitations, 'get')
      .mockImplementation(async (id, ...rest) => {
        const found = await read(id, ...rest);
        if (id === invitationId && interleave.mock.calls.length === 1) {
          await giveAgain(at(`${day}T23:00:30`), 9); // another score: the same one writes nothing
        }
        return found;
      });
    try {
      expect((await dispatch(windowed, at(`${day}T23:01:00`))).reviewEmails).toBe(0);
    } finally {
      interleave.mockRestore();
    }
    // not at the window's opening, to which the stale read would have put it off
    expect((await dispatch(windowed, at(`${next}T09:01:00`))).reviewEmails).toBe(0);
    expect(await reviewEmailsTo(email)).toHaveLength(0);
    expect((await dispatch(windowed, at(`${next}T11:01:00`))).reviewEmails).toBe(1);
    expect(await reviewEmailsTo(email)).toHaveLength(1);
  });

  it('names a missing contact item as the reason no email went', async () => {
    const { invitationId, email } = await promoter('rev-no-contact');
    // gone with the retention period, say: the state that would record an opt-out is not there
    expect(await windowed.contacts.forget('rev-no-contact')).toBe(1);
    const captured = captureLog('info');
    try {
      expect((await dispatch(windowed, at(`${next}T09:02:00`))).reviewEmails).toBe(0);
    } finally {
      captured.restore();
    }
    expect(await reviewEmailsTo(email)).toHaveLength(0);
    const skipped = captured.lines
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.includes('dispatch.review-email-skipped'))
      .map((line) => JSON.parse(line) as { invitationId: string; why: string });
    expect(skipped).toContainEqual(
      expect.objectContaining({ invitationId, why: 'no-contact-item' }),
    );
  });
});
