import { beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { report } from '../../lib/usecases/report.js';
import { rollup, rollupDay } from '../../lib/usecases/rollup.js';
import { buildDigest } from '../../lib/usecases/digest.js';
import { wilson } from '../../lib/domain/scoring.js';
import { createWebApp } from '../../lib/web/app.js';
import {
  emailsTo,
  event,
  interaction,
  scoreLinks,
  testRuntime,
  type TestRuntime,
} from '../support/harness.js';

const occurred = '2026-11-23T10:00:00Z';
const origin = 'http://127.0.0.1:3999';
const answeredAt = new Date('2026-11-23T13:00:00Z');

let rt: TestRuntime;
let app: ReturnType<typeof createWebApp>;

beforeAll(async () => {
  rt = await testRuntime();
  app = createWebApp(rt, { now: () => answeredAt });
});

/** Intake and dispatch one survey of `touchpoint`; returns its invitation id and form path. */
async function sentSurvey(touchpoint: string, locale = 'en-GB') {
  const detail = interaction({ occurredAt: occurred, touchpoint });
  detail.customer.locale = locale;
  const { invitationId } = await intake(rt, event(detail), new Date(occurred));
  await dispatch(rt, new Date('2026-11-23T12:31:00Z'));
  const [email] = await emailsTo(detail.customer.email!);
  const url = new URL(scoreLinks(email!).values().next().value!);
  return { invitationId, path: url.pathname };
}

/** Posts a form, repeating a field for each value of an array (checkboxes). */
function post(path: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
  }
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: body.toString(),
  });
}

describe('a questionnaire after the score, on DynamoDB Local', () => {
  it('shows the questions in the customer language, the reason only to unhappy scores', async () => {
    const { path } = await sentSurvey('support-call', 'de-DE');
    const page = await (await app.request(`${path}?score=3`)).text();
    expect(page).toContain('Was hat Sie am meisten enttäuscht?');
    expect(page).toContain('Mein Anliegen wurde nicht gelöst');
    // Asked of detractors and passives only: hidden (CSS) unless such a score is chosen.
    expect(page).toMatch(/<fieldset class="q asks ask-detractor ask-passive"/);
    expect(page).toContain('<form method="post" action="' + path + '" class="m-nps">');
    const css = await (await app.request('/assets/survey.css')).text();
    expect(css).toContain(
      'form.m-nps:has(input[name=score][value="3"]:checked) .ask-detractor{display:block}',
    );
  });

  it('records the answers with the score; a replay changes nothing; a change keeps the history', async () => {
    const { invitationId, path } = await sentSurvey('support-call');
    const form = { score: '3', 'q.reason': 'waiting-time', 'q.resolved': 'no' };
    expect((await post(path, form)).status).toBe(200);
    const stored = await rt.invitations.get(invitationId);
    expect(stored).toMatchObject({
      score: 3,
      answerCount: 1,
      answers: { reason: 'waiting-time', resolved: 'no' },
    });
    expect((await post(path, form)).status).toBe(200);
    expect((await rt.invitations.get(invitationId))!.answerCount).toBe(1);
    // Promoter now: the reason (asked of detractors and passives) is dropped, not stored.
    expect(
      (await post(path, { score: '9', 'q.reason': 'waiting-time', 'q.resolved': 'yes' })).status,
    ).toBe(200);
    const changed = (await rt.invitations.get(invitationId))!;
    expect(changed.answers).toEqual({ resolved: 'yes' });
    expect(changed.history).toEqual([
      expect.objectContaining({ score: 3, answers: { reason: 'waiting-time', resolved: 'no' } }),
    ]);
  });

  it('refuses an option not on the list, says which question, keeps what was stored', async () => {
    const { invitationId, path } = await sentSurvey('order-delivered');
    const refused = await post(path, {
      score: '2',
      'q.problems': ['late', 'stolen'],
      'q.packaging': '4',
    });
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain('What went wrong?: choose from the answers listed');
    // The form comes back as entered.
    expect(page).toMatch(/value="late" checked/);
    expect(page).toMatch(/name="q.packaging" value="4" checked/);
    expect((await rt.invitations.get(invitationId))!.status).toBe('sent');
    const tooMany = await post(path, {
      score: '2',
      'q.problems': ['late', 'damaged', 'courier', 'other'],
    });
    expect(await tooMany.text()).toContain('What went wrong?: choose at most 3');
    expect((await rt.invitations.get(invitationId))!.answers).toBeUndefined();
  });

  it('counts drivers by score group in the rollup and the report', async () => {
    const answers = [
      { score: '1', problems: ['late', 'damaged'], packaging: '2' },
      { score: '2', problems: ['late'], packaging: '3' },
      { score: '3', problems: ['courier'] },
      { score: '5', problems: ['late'], packaging: '5' }, // satisfied: not asked, dropped
      { score: '4', packaging: '4' },
    ];
    for (const answer of answers) {
      const { path } = await sentSurvey('order-delivered');
      const fields: Record<string, string | string[]> = { score: answer.score };
      if (answer.problems) fields['q.problems'] = answer.problems;
      if (answer.packaging) fields['q.packaging'] = answer.packaging;
      expect((await post(path, fields)).status).toBe(200);
    }
    const rows = await rollupDay(rt, '2026-11-23');
    const delivered = rows.filter((row) => row.touchpoint === 'order-delivered');
    const problems = delivered.reduce(
      (total, row) => {
        const counts = row.questions.problems;
        for (const [option, byGroup] of Object.entries(counts?.options ?? {})) {
          total[option] = (total[option] ?? 0) + (byGroup['not-satisfied'] ?? 0);
        }
        return total;
      },
      {} as Record<string, number>,
    );
    expect(problems).toEqual({ late: 2, damaged: 1, courier: 1 });

    const [total] = (
      await report(rt, { from: '2026-11-23', to: '2026-11-23', by: ['touchpoint'], totals: true })
    ).filter((row) => row.touchpoint === 'order-delivered' && row.day === 'total');
    const byId = Object.fromEntries(total!.questions.map((q) => [q.questionId, q]));
    expect(byId.problems).toMatchObject({
      type: 'choices',
      answered: 3,
      answeredByGroup: { 'not-satisfied': 3 },
    });
    const late = byId.problems!.options.find((o) => o.option === 'late')!;
    expect(late.byGroup['not-satisfied']).toMatchObject({ count: 2, lowN: true });
    expect(late.byGroup['not-satisfied']!.share).toBeCloseTo((2 / 3) * 100, 9);
    expect(byId.packaging).toMatchObject({
      type: 'rating',
      answered: 4,
      answeredByGroup: { 'not-satisfied': 2, satisfied: 2 },
    });
    expect(byId.packaging!.mean).toBeCloseTo((2 + 3 + 5 + 4) / 4, 9);

    // The digest names the top reasons of the unhappy, with counts, shares and intervals.
    await rollup(rt, { now: new Date('2026-11-24T02:30:00Z'), days: 2 });
    const digest = await buildDigest(rt, {
      now: new Date('2026-11-24T02:30:00Z'),
      dashboardUrl: 'http://127.0.0.1:3000/dashboard',
    });
    const { ciLow, ciHigh } = wilson(2, 3);
    const line = `order-delivered, “What went wrong?”, 3 unsatisfied customers (low n): It arrived late 2 (67 % [${ciLow.toFixed(0)}, ${ciHigh.toFixed(0)}]); Something was damaged 1 (33 %`;
    expect(digest.text).toContain(line);
    expect(digest.html).toContain('Top reasons of unhappy customers');
  });
});
