/**
 * Revenue at risk (issue 21): what the interactions whose customers answered were worth, and how
 * much of it sits with unhappy customers (NPS detractors, CSAT not satisfied, CES not easy) and
 * with happy ones (promoters, satisfied, easy), so a CX lead can put a currency figure next to a
 * score.
 *
 * A program names the interaction attribute that carries the value and its currency
 * (`value: { attribute: "orderValue", currency: "EUR" }`). Intake reads it once, at the decision,
 * into the invitation as an integer count of the currency's minor unit (cents), so sums are exact
 * and an erasure, which removes the interaction's attributes, keeps the number. A value that is
 * absent is `missing`; one that is not a plain non-negative decimal number (a word, a negative
 * amount, an exponent, 10^11 or more) is `invalid`. Both are counted, never guessed.
 */
import * as z from 'zod';
import type { Metric } from './metric.js';
import { happyGroupOf, scoreGroupOf, unhappyGroupOf } from './questionnaire.js';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** The program's `value` setting. */
export const ValueSetting = z.object({
  /** The interaction attribute (`attributes.<name>`) holding the value: a number, or a decimal string. */
  attribute: z.string().min(1).max(64),
  /** ISO 4217 code of the value's currency. */
  currency: z.string().refine((code) => CURRENCIES.has(code), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not an ISO 4217 currency code, such as "EUR"`,
  }),
});
export type ValueSetting = z.infer<typeof ValueSetting>;

/** Why an invitation of a program with a value setting has no value. */
export type ValueIssue = 'missing' | 'invalid';

/**
 * ISO 4217's minor units where they are not 2. Fixed here rather than taken from Intl: CLDR's
 * digits differ from ISO's for some currencies (IDR, HUF, COP, IQD…) and between ICU versions, and
 * the digits an amount was stored with must be the digits it is read with.
 */
const MINOR_DIGITS: Record<string, number> = {
  ...Object.fromEntries(
    'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'
      .split(' ')
      .map((code) => [code, 0]),
  ),
  ...Object.fromEntries('BHD IQD JOD KWD LYD OMR TND'.split(' ').map((code) => [code, 3])),
  CLF: 4,
  UYW: 4,
};

/** Digits of the currency's minor unit, as ISO 4217 has them (2 for EUR, 0 for JPY, 3 for BHD). */
export function minorDigitsOf(currency: string): number {
  return MINOR_DIGITS[currency] ?? 2;
}

/** Any number of fraction digits: only those the currency keeps (and one to round) count. */
const DECIMAL = /^(\d{1,12})(?:\.(\d+))?$/;
/** Larger amounts are taken for a producer's mistake (invalid): sums stay exact integers. */
const MAX_MAJOR = 10 ** 11;

/**
 * The interaction's value in the currency's minor unit, rounded half up to it (12.345 EUR is 1235
 * cents), or why there is none.
 */
export function valueOf(
  attributes: Record<string, unknown> | undefined,
  setting: ValueSetting,
): { value: number } | { valueIssue: ValueIssue } {
  const raw =
    attributes && Object.hasOwn(attributes, setting.attribute)
      ? attributes[setting.attribute]
      : undefined;
  if (raw === undefined || raw === null || raw === '') return { valueIssue: 'missing' };
  const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  const match = typeof text === 'string' ? DECIMAL.exec(text.trim()) : null;
  if (!match) return { valueIssue: 'invalid' };
  if (Number(match[1]) >= MAX_MAJOR) return { valueIssue: 'invalid' };
  const digits = minorDigitsOf(setting.currency);
  const fraction = (match[2] ?? '').padEnd(digits + 1, '0');
  const minor =
    Number(match[1]) * 10 ** digits +
    Number(fraction.slice(0, digits) || '0') +
    (Number(fraction[digits]) >= 5 ? 1 : 0);
  return Number.isSafeInteger(minor) ? { value: minor } : { valueIssue: 'invalid' };
}

/** The value sums and counts of a rollup cell (stored as counters): minor units and answers. */
export const VALUE_COUNTS = [
  /** Answers whose interaction had a value. */
  'valueAnswers',
  /** The sum of those values. */
  'valueAnswered',
  /** Of it, the unhappy answers' (NPS detractors, CSAT not satisfied, CES not easy). */
  'valueUnhappy',
  /** Of it, the happy answers' (NPS promoters, CSAT satisfied, CES easy). */
  'valueHappy',
  /** Answers of a program with a value setting whose interaction had none. */
  'valueMissing',
  /** … or one that is not a number. */
  'valueInvalid',
] as const;
export type ValueCount = (typeof VALUE_COUNTS)[number];

/** What one answer adds to its cell's value counts. */
export function valueContribution(
  answer: { value?: number | undefined; valueIssue?: ValueIssue | undefined; score: number },
  metric: Metric,
): Partial<Record<ValueCount, number>> {
  if (answer.valueIssue === 'missing') return { valueMissing: 1 };
  if (answer.valueIssue === 'invalid') return { valueInvalid: 1 };
  if (answer.value === undefined) return {};
  const group = scoreGroupOf(metric, answer.score);
  return {
    valueAnswers: 1,
    valueAnswered: answer.value,
    ...(group === unhappyGroupOf(metric) ? { valueUnhappy: answer.value } : {}),
    ...(group === happyGroupOf(metric) ? { valueHappy: answer.value } : {}),
  };
}

/** A report row's value figures, in the currency's major unit; shares in percent of the answered value. */
export function valueFigures(
  counts: Record<ValueCount, number>,
  currency: string | null,
): {
  valueCurrency: string | null;
  valueAnswers: number;
  valueAnswered: number | null;
  valueUnhappy: number | null;
  valueUnhappyShare: number | null;
  valueHappy: number | null;
  valueHappyShare: number | null;
  valueMissing: number;
  valueInvalid: number;
} {
  const scale = currency ? 10 ** minorDigitsOf(currency) : 1;
  const major = (minor: number) => (currency ? minor / scale : null);
  const share = (minor: number) =>
    currency && counts.valueAnswered > 0 ? (100 * minor) / counts.valueAnswered : null;
  return {
    valueCurrency: currency,
    valueAnswers: counts.valueAnswers,
    valueAnswered: major(counts.valueAnswered),
    valueUnhappy: major(counts.valueUnhappy),
    valueUnhappyShare: share(counts.valueUnhappy),
    valueHappy: major(counts.valueHappy),
    valueHappyShare: share(counts.valueHappy),
    valueMissing: counts.valueMissing,
    valueInvalid: counts.valueInvalid,
  };
}

/** What the unhappy and the happy groups are called, per metric. */
export const VALUE_GROUP_WORDS: Record<Metric, { unhappy: string; happy: string }> = {
  nps: { unhappy: 'detractors', happy: 'promoters' },
  csat: { unhappy: 'not satisfied', happy: 'satisfied' },
  ces: { unhappy: 'not easy', happy: 'easy' },
};

/** An amount in its currency, as people read it ("€1,234.50"). */
export function formatMoney(amount: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
}

/** The answers whose value is not known, as a phrase ("1 without a value, 2 not a number"). */
export function unknownValues(row: { valueMissing: number; valueInvalid: number }): string {
  return [
    row.valueMissing ? `${row.valueMissing} without a value` : '',
    row.valueInvalid ? `${row.valueInvalid} not a number` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * A report row's revenue at risk in a sentence (digest), or undefined for a touchpoint without a
 * value setting: "€200.50 at risk with detractors (46.0 % of €435.75 answered); €200.00 with
 * promoters (45.9 %); 4 answers with a value, 1 without a value, 2 not a number".
 */
export function describeValue(
  row: ReturnType<typeof valueFigures> & { metric: Metric | null },
): string | undefined {
  if (!row.valueCurrency || !row.metric) return undefined;
  const unknown = unknownValues(row);
  if (!row.valueAnswers) return `no answer with a value${unknown ? ` (${unknown})` : ''}`;
  const words = VALUE_GROUP_WORDS[row.metric];
  const money = (amount: number | null) => formatMoney(amount ?? 0, row.valueCurrency!);
  const share = (percent: number | null) => (percent === null ? '–' : `${percent.toFixed(1)} %`);
  return `${money(row.valueUnhappy)} at risk with ${words.unhappy} (${share(row.valueUnhappyShare)} of ${money(row.valueAnswered)} answered); ${money(row.valueHappy)} with ${words.happy} (${share(row.valueHappyShare)}); ${row.valueAnswers} answer${row.valueAnswers === 1 ? '' : 's'} with a value${unknown ? `, ${unknown}` : ''}`;
}
