/**
 * A periodic deep-dive on DynamoDB Local: the whole population invited, a questionnaire in
 * sections, each saved when submitted, so a customer who stops half-way keeps what they gave; and
 * the results per question (distribution, mean with interval, share with interval).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AfterwordConfig } from '../../lib/config/schema.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { importCustomers } from '../../lib/usecases/customers-import.js';
import { report } from '../../lib/usecases/report.js';
import { rollupDay } from '../../lib/usecases/rollup.js';
import { plan } from '../../lib/usecases/tracking.js';
import { launch } from '../../lib/usecases/tracking-launch.js';
import { createWebApp } from '../../lib/web/app.js';
import { parseConfig } from '../../lib/config/load.js';
import {
  emailsTo,
  scoreLinks,
  testRuntime,
  withConfig,
  type TestRuntime,
} from '../support/harness.js';

const origin = 'http://127.0.0.1:3999';
const runAt = new Date('2027-01-04T10:00:00Z');
let clock = runAt;

/** The shipped config plus a quarterly deep-dive in two sections (CSAT, English and German). */
function withDeepDive(): AfterwordConfig {
  const base = withConfig(() => {});
  const support = base.programs.find((p) => p.touchpoint === 'support-call')!;
  const wording = (locale: 'en' | 'de') => ({
    ...support.wording[locale]!,
    subject: locale === 'en' ? 'Your quarterly review' : 'Ihr Quartalsrückblick',
    question:
      locale === 'en' ? 'How satisfied are you with us?' : 'Wie zufrieden sind Sie mit uns?',
    lowLabel: 'x',
    highLabel: 'y',
    questions: {
      why: {
        text: locale === 'en' ? 'What went wrong?' : 'Was lief schief?',
        options: { price: 'Price', service: 'Service' },
      },
      speed: {
        text: locale === 'en' ? 'How fast were we?' : 'Wie schnell waren wir?',
        lowLabel: 'Slow',
        highLabel: 'Fast',
      },
      staff: { text: 'Staff', options: { kind: 'Kind', rude: 'Rude' } },
      quality: { text: 'Quality', lowLabel: 'Poor', highLabel: 'Great' },
      more: { text: locale === 'en' ? 'Anything else?' : 'Sonst noch etwas?' },
    },
    sections: {
      service: { title: locale === 'en' ? 'Our service' : 'Unser Service' },
      product: { title: locale === 'en' ? 'Our products' : 'Unsere Produkte' },
    },
  });
  const raw = structuredClone(base) as unknown as { programs: unknown[] };
  raw.programs.push({
    touchpoint: 'quarterly-review',
    kind: 'periodic',
    metric: 'csat',
    schedule: { frequency: 'quarterly' },
    population: { seenWithinDays: 365 },
    delay: 'PT0S',
    owner: support.owner,
    sections: [{ id: 'service' }, { id: 'product' }],
    questions: [
      { id: 'why', type: 'choice', askIf: ['not-satisfied'], options: ['price', 'service'] },
      { id: 'speed', type: 'rating', section: 'service' },
      { id: 'staff', type: 'choice', section: 'service', options: ['kind', 'rude'] },
      { id: 'quality', type: 'rating', section: 'product' },
      { id: 'more', type: 'text', section: 'product' },
    ],
    wording: { en: wording('en'), de: wording('de') },
  });
  return parseConfig(raw, 'deep-dive');
}

let rt: TestRuntime;
let app: ReturnType<typeof createWebApp>;

beforeAll(async () => {
  rt = await testRuntime({ config: withDeepDive() });
  app = createWebApp(rt, { now: () => clock });
  await importCustomers(
    rt,
    ['ada', 'grace', 'alan'].map((name) => ({
      customerId: `dd-${name}`,
      profile: { email: `dd-${name}@example.com`, seenOn: '2026-12-01', locale: 'en-GB' },
    })),
  );
});

function post(path: string, fields: Record<string, string>) {
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('a periodic deep-dive in sections', () => {
  it('invites the whole population, and saves each section as it is submitted', async () => {
    expect((await plan(rt, 'quarterly-review', runAt)).invitations).toBe(3);
    expect(await launch(rt, 'quarterly-review', runAt)).toMatchObject({
      period: '2027-Q1',
      scheduled: 3,
    });
    await dispatch(rt, new Date('2027-01-04T15:00:00Z'));
    const [email] = await emailsTo('dd-ada@example.com');
    const link = new URL(scoreLinks(email!).get(2)!);
    clock = new Date('2027-01-04T16:00:00Z');

    // Part 1: the score, and the reason asked of the unsatisfied.
    const first = await post(link.pathname, { score: '2', 'q.why': 'service' });
    expect(first.status).toBe(303);
    const servicePath = first.headers.get('location')!;
    expect(servicePath).toBe(`${link.pathname}/sections/service`);
    const invitationId = (await rt.invitations.get(
      (await rt.signer.verify(link.pathname.split('/').pop()!, clock)).invitationId,
    ))!.invitationId;
    expect((await rt.invitations.get(invitationId))!.answers).toEqual({ why: 'service' });

    // Part 2 of 3: the service section, on its own page.
    const page = await (await app.request(servicePath)).text();
    expect(page).toContain('Part 2 of 3');
    expect(page).toContain('<h1>Our service</h1>');
    expect(page).toContain('How fast were we?');
    expect(page).not.toContain('Quality');
    const refused = await post(servicePath, { 'q.speed': '9' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('How fast were we?: choose one of the answers listed');
    const second = await post(servicePath, { 'q.speed': '2', 'q.staff': 'kind' });
    expect(second.status).toBe(303);
    expect(second.headers.get('location')).toBe(`${link.pathname}/sections/product`);
    // The customer stops here: what they gave is kept.
    const stored = (await rt.invitations.get(invitationId))!;
    expect(stored).toMatchObject({
      status: 'answered',
      score: 2,
      answers: { why: 'service', speed: 2, staff: 'kind' },
      answerCount: 1,
    });

    // Counted from the index, as any answer: the section's rating and choice.
    const rows = await rollupDay(rt, '2027-01-04');
    const cell = rows.find((row) => row.touchpoint === 'quarterly-review')!;
    expect(cell.questions.speed).toEqual({
      answered: { 'not-satisfied': 1 },
      options: { '2': { 'not-satisfied': 1 } },
    });

    // Back later for the last part: saved with the rest, and the thank-you page.
    const last = await post(`${link.pathname}/sections/product`, {
      'q.quality': '4',
      'q.more': 'More colours',
    });
    expect(last.status).toBe(200);
    expect(await last.text()).toContain(rt.programFor('quarterly-review')!.wording.en!.thanks);
    expect((await rt.invitations.get(invitationId))!.answers).toEqual({
      why: 'service',
      speed: 2,
      staff: 'kind',
      quality: 4,
      more: 'More colours',
    });
    // A changed score keeps the sections already given.
    expect((await post(link.pathname, { score: '5' })).status).toBe(303);
    expect((await rt.invitations.get(invitationId))!.answers).toEqual({
      speed: 2,
      staff: 'kind',
      quality: 4,
      more: 'More colours',
    });
  });

  it('never writes over answers saved since they were read (a second tab, a stale resubmit)', async () => {
    const [email] = await emailsTo('dd-alan@example.com');
    const link = new URL(scoreLinks(email!).get(4)!);
    clock = new Date('2027-01-04T17:00:00Z');
    expect((await post(link.pathname, { score: '4' })).status).toBe(303);
    const { invitationId } = await rt.signer.verify(link.pathname.split('/').pop()!, clock);
    const stale = (await rt.invitations.get(invitationId))!;
    // Another tab saves the service section.
    expect((await post(`${link.pathname}/sections/service`, { 'q.speed': '5' })).status).toBe(303);
    // What the first tab read is out of date: neither write may land on it.
    expect(await rt.answers.recordSection(stale, { quality: 3 }, 'quality=3', clock)).toBe(false);
    const resubmit = await rt.answers.recordAnswer(stale, { score: 3 }, clock, {
      request: false,
      withdraw: false,
    });
    expect(resubmit.recorded).toBe(false);
    // Through the app, each decides again from what is stored: nothing is lost.
    expect((await post(`${link.pathname}/sections/product`, { 'q.quality': '3' })).status).toBe(
      200,
    );
    expect((await post(link.pathname, { score: '3' })).status).toBe(303);
    expect((await rt.invitations.get(invitationId))!.answers).toEqual({ speed: 5, quality: 3 });
  });

  it('sends a section before the score back to the first page', async () => {
    const [email] = await emailsTo('dd-grace@example.com');
    const link = new URL(scoreLinks(email!).get(4)!);
    const early = await app.request(`${link.pathname}/sections/service`);
    expect(early.status).toBe(303);
    expect(early.headers.get('location')).toBe(link.pathname);
    expect((await post(`${link.pathname}/sections/nope`, {})).status).toBe(404);
  });

  it('reports each question: its distribution, a rating mean with its interval, shares with theirs', async () => {
    await rollupDay(rt, '2027-01-04');
    const [total] = (
      await report(rt, { from: '2027-01-04', to: '2027-01-04', by: ['touchpoint'], totals: true })
    ).filter((row) => row.touchpoint === 'quarterly-review' && row.day === 'total');
    const byId = Object.fromEntries(total!.questions.map((q) => [q.questionId, q]));
    // Ada's 4 and Alan's 3.
    expect(byId.quality).toMatchObject({ type: 'rating', answered: 2, mean: 3.5 });
    expect(byId.quality!.options.map((o) => o.count)).toEqual([0, 0, 1, 1, 0]);
    expect(byId.quality!.meanCiLow).toBeLessThan(3.5);
    expect(byId.staff!.options.find((o) => o.option === 'kind')).toMatchObject({
      count: 1,
      share: 100,
    });
    expect(byId.more).toMatchObject({ type: 'text', answered: 1, options: [] });
  });
});
