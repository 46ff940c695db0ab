/**
 * Revenue at risk (issue 21): a program names the interaction attribute that carries what the
 * interaction was worth, and the rollups, the report, its CSV, the digest and the dashboard show
 * how much of the answered value sits with unhappy and with happy customers. Against DynamoDB
 * Local, through the real flows (intake, dispatch, the answer), on a dataset computed by hand,
 * missing and non-numeric values included.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createErasureHandler } from '../../lib/handlers/erasure.js';
import { AfterwordConfig } from '../../lib/config/schema.js';
import { toCsv, REPORT_COLUMNS } from '../../lib/contracts/report-csv.js';
import { valueOf } from '../../lib/domain/value.js';
import { submitAnswer } from '../../lib/usecases/answer.js';
import { buildDigest } from '../../lib/usecases/digest.js';
import { dashboardData } from '../../lib/usecases/dashboard.js';
import { parseDashboardQuery } from '../../lib/usecases/dashboard-query.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { report } from '../../lib/usecases/report.js';
import { recomputeDay, rollupDay } from '../../lib/usecases/rollup.js';
import { dashboardPage } from '../../lib/web/dashboard.js';
import { toTable } from '../../lib/cli/format.js';
import { event, interaction, testRuntime, withConfig } from '../support/harness.js';

const day = '2026-11-09';

/**
 * The dataset: NPS answers of support calls with an order value in EUR.
 * Answered value: 120.50 + 80 + 35.25 + 200 + 12.35 = 448.10 (5 answers with a value).
 * Detractors (0–6): 120.50 + 80 = 200.50, 44.74 % of it; promoters (9–10): 200, 44.63 %.
 * Not known: one without the attribute, two not a number ("n/a", a negative amount).
 */
const DATASET: { score: number; orderValue?: string | number }[] = [
  { score: 2, orderValue: 120.5 },
  { score: 5, orderValue: '80' },
  { score: 8, orderValue: 35.25 },
  { score: 10, orderValue: 200 },
  { score: 9 },
  { score: 0, orderValue: 'n/a' },
  { score: 10, orderValue: -5 },
  // rounded half up to the cent: 12.35
  { score: 7, orderValue: '12.345' },
];

async function answeredDataset() {
  const rt = await testRuntime({
    config: withConfig((config) => {
      config.programs.forEach((program) => delete program.sendWindow);
      config.programs.find((p) => p.touchpoint === 'support-call')!.value = {
        attribute: 'orderValue',
        currency: 'EUR',
      };
    }),
  });
  const ids: string[] = [];
  const customers: string[] = [];
  for (const [i, row] of DATASET.entries()) {
    const occurredAt = `${day}T08:${String(i).padStart(2, '0')}:00Z`;
    const detail = interaction({
      occurredAt,
      touchpoint: 'support-call',
      ...(row.orderValue === undefined ? {} : { attributes: { orderValue: row.orderValue } }),
    });
    ids.push((await intake(rt, event(detail), new Date(occurredAt))).invitationId);
    customers.push(detail.customer.id);
  }
  // a touchpoint without a value setting: no figures of its own
  const other = interaction({ occurredAt: `${day}T08:30:00Z`, touchpoint: 'order-delivered' });
  ids.push((await intake(rt, event(other), new Date(`${day}T08:30:00Z`))).invitationId);
  expect((await dispatch(rt, new Date(`${day}T12:00:00Z`))).sent).toBe(ids.length);
  const scores = [...DATASET.map((row) => row.score), 3];
  for (const [i, id] of ids.entries()) {
    const invitation = (await rt.invitations.get(id))!;
    const token = await rt.signer.sign({
      invitationId: id,
      expiresAt: new Date(invitation.expiresAt!),
    });
    await submitAnswer(rt, token, { score: String(scores[i]) }, new Date(`${day}T13:00:00Z`));
  }
  return { rt, customers };
}

describe('revenue at risk', () => {
  it('reads a value as the currency’s minor unit, and counts what it cannot read, never guessing', () => {
    const eur = { attribute: 'orderValue', currency: 'EUR' };
    const of = (orderValue: unknown) => valueOf({ orderValue }, eur);
    expect(of(120.5)).toEqual({ value: 12050 });
    expect(of(' 80 ')).toEqual({ value: 8000 });
    expect(of('12.345')).toEqual({ value: 1235 });
    expect(of('12.344')).toEqual({ value: 1234 });
    expect(of(0)).toEqual({ value: 0 });
    expect(valueOf({}, eur)).toEqual({ valueIssue: 'missing' });
    expect(valueOf(undefined, eur)).toEqual({ valueIssue: 'missing' });
    expect(of(null)).toEqual({ valueIssue: 'missing' });
    expect(of('')).toEqual({ valueIssue: 'missing' });
    // a float's long tail is rounded like any other digits
    expect(of(0.1 + 0.2)).toEqual({ value: 30 });
    expect(of('99999999999.99')).toEqual({ value: 9999999999999 });
    for (const bad of [
      'n/a',
      -5,
      '-5',
      '1e3',
      1e21,
      Infinity,
      '12,50',
      true,
      { amount: 5 },
      '100000000000', // 10^11: a mistake, and sums of such would leave exact integers behind
    ]) {
      expect(of(bad), JSON.stringify(bad) ?? 'Infinity').toEqual({ valueIssue: 'invalid' });
    }
    // a currency without cents, and one with three decimals
    expect(valueOf({ v: '1500.5' }, { attribute: 'v', currency: 'JPY' })).toEqual({ value: 1501 });
    // ISO 4217's digits, not the locale data's (which has none for IDR)
    expect(valueOf({ v: '1500.5' }, { attribute: 'v', currency: 'IDR' })).toEqual({
      value: 150050,
    });
    expect(valueOf({ v: 1.2345 }, { attribute: 'v', currency: 'BHD' })).toEqual({ value: 1235 });
    // an attribute named like an Object property is the producer's, not the prototype's
    expect(valueOf({}, { attribute: 'constructor', currency: 'EUR' })).toEqual({
      valueIssue: 'missing',
    });
  });

  it('refuses a value setting without a real currency, naming it', () => {
    const problems = (currency: string) => {
      const result = AfterwordConfig.safeParse(
        withConfig((c) => void (c.programs[0]!.value = { attribute: 'orderValue', currency })),
      );
      return result.success
        ? []
        : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems('EURO')).toEqual([
      'programs.0.value.currency: "EURO" is not an ISO 4217 currency code, such as "EUR"',
    ]);
    expect(problems('eur')).toHaveLength(1);
    expect(problems('GBP')).toEqual([]);
  });

  it('matches the hand-computed figures in the rollup, the report, its CSV, the digest and the dashboard', async () => {
    const { rt } = await answeredDataset();
    const asOf = new Date(`${day}T23:00:00Z`);
    // the stream's counters and the recompute from the invitations agree
    const counted = await rollupDay(rt, day, asOf);
    const recomputed = await recomputeDay(rt, day, asOf);
    const support = (rows: typeof counted) => rows.find((r) => r.touchpoint === 'support-call')!;
    expect(support(counted)).toMatchObject({
      valueAnswers: 5,
      valueAnswered: 44810,
      valueUnhappy: 20050,
      valueHappy: 20000,
      valueMissing: 1,
      valueInvalid: 2,
      valueCurrency: 'EUR',
    });
    expect(support(recomputed)).toEqual(support(counted));

    const rows = await report(rt, { from: day, to: day, by: ['touchpoint'] });
    const row = rows.find((r) => r.touchpoint === 'support-call')!;
    expect(row).toMatchObject({
      valueCurrency: 'EUR',
      valueAnswers: 5,
      valueAnswered: 448.1,
      valueUnhappy: 200.5,
      valueHappy: 200,
      valueMissing: 1,
      valueInvalid: 2,
    });
    expect(row.valueUnhappyShare).toBeCloseTo((100 * 200.5) / 448.1, 10);
    expect(row.valueHappyShare).toBeCloseTo((100 * 200) / 448.1, 10);
    expect(rows.find((r) => r.touchpoint === 'order-delivered')).toMatchObject({
      valueCurrency: null,
      valueAnswered: null,
      valueUnhappyShare: null,
      valueMissing: 0,
    });

    const [header, ...lines] = toCsv(rows).trim().split('\n');
    const cell = (line: string, column: string) =>
      line.split(',')[REPORT_COLUMNS.indexOf(column as (typeof REPORT_COLUMNS)[number])];
    expect(header!.split(',')).toEqual(expect.arrayContaining(['valueAnswered', 'valueInvalid']));
    const csvRow = lines.find((line) => line.includes('support-call'))!;
    expect(
      [
        'valueCurrency',
        'valueAnswers',
        'valueAnswered',
        'valueUnhappy',
        'valueUnhappyShare',
        'valueHappy',
        'valueHappyShare',
        'valueMissing',
        'valueInvalid',
      ].map((column) => cell(csvRow, column)),
    ).toEqual(['EUR', '5', '448.1', '200.5', '44.74', '200', '44.63', '1', '2']);
    expect(toTable(rows)).toMatch(/€448\.10\s+€200\.50 \(44\.7%\)\s+3/);

    const digest = await buildDigest(rt, {
      now: new Date('2026-11-10T06:00:00Z'),
      dashboardUrl: 'https://cx.example.com/dashboard',
    });
    const line =
      'support-call: €200.50 at risk with detractors (44.7 % of €448.10 answered); €200.00 with promoters (44.6 %); 5 answers with a value, 1 without a value, 2 not a number';
    expect(digest.text).toContain(line);
    expect(digest.html).toContain('Revenue at risk');
    expect(digest.text).not.toMatch(/order-delivered: .*at risk/);

    const query = parseDashboardQuery(
      new URLSearchParams({ range: 'custom', from: day, to: day }),
      day,
    );
    const page = dashboardPage(await dashboardData(rt, query, 'all'), {
      brand: 'Acme',
      user: { sub: 'lead', name: 'Lead', email: 'lead@example.com', roles: ['cx-lead'] },
      csrf: 'x',
    });
    const section = page.slice(page.indexOf('<h2>Revenue at risk'));
    expect(section).toContain(
      '<tr><td>support-call</td><td class="num">€448.10</td><td class="num">€200.50 (44.7 %)',
    );
    expect(section).toContain('1 without a value, 2 not a number');
    expect(section).not.toContain('<td>order-delivered</td>');
  });

  it('keeps an answer’s value through the customer’s erasure, so no reported number changes', async () => {
    const { rt, customers } = await answeredDataset();
    const asOf = new Date(`${day}T23:00:00Z`);
    const before = await recomputeDay(rt, day, asOf);
    // the customer of the first answer, worth 120.50, a detractor
    const erase = createErasureHandler(rt, () => new Date('2026-11-10T09:00:00Z'));
    const erased = await erase({
      detail: { version: '1', requestId: `req-${randomUUID()}`, customerId: customers[0]! },
    });
    expect(erased.counts.invitations).toBe(1);
    expect(await recomputeDay(rt, day, asOf)).toEqual(before);
    expect(await rollupDay(rt, day, asOf)).toEqual(before);
  });
});
