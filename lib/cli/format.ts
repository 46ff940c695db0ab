/** Report output: an aligned table for people, CSV and JSON for tools. */
import { NONE, TOTAL, type ReportRow } from '../contracts/report.js';
import { formatInterval, formatRate } from '../domain/display.js';
import { formatMoney } from '../domain/value.js';
import type { DriverRow } from '../domain/driver-rows.js';

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;

/** Text as a terminal should print it: control characters (escape sequences, bells) as spaces. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- exactly what is removed
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/**
 * Rows of text cells as aligned columns under their headers (the keys of the first row), with
 * control characters removed: a comment or an id must not move the terminal's cursor.
 */
export function columns(rows: Record<string, string>[]): string {
  if (!rows.length) return '';
  const clean = rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([key, value]) => [key, printable(value)])),
  );
  const headers = Object.keys(clean[0]!);
  const widths = headers.map((h) => Math.max(h.length, ...clean.map((r) => r[h]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return (
    [
      line(headers),
      line(widths.map((w) => '-'.repeat(w))),
      ...clean.map((r) => line(headers.map((h) => r[h]!))),
    ].join('\n') + '\n'
  );
}

export function toTable(rows: ReportRow[]): string {
  if (!rows.length) return 'no rollup rows in that period (run `afterword rollup` first?)\n';
  // Revenue at risk, when some program has a value setting (domain/value.ts).
  const valued = rows.some((row) => row.valueCurrency);
  const money = (row: ReportRow, amount: number | null) =>
    row.valueCurrency && amount !== null ? formatMoney(amount, row.valueCurrency) : '-';
  const valueColumns = (row: ReportRow): Record<string, string> =>
    valued
      ? {
          'answered value': money(row, row.valueAnswered),
          'at risk':
            row.valueUnhappyShare === null
              ? money(row, row.valueUnhappy)
              : `${money(row, row.valueUnhappy)} (${row.valueUnhappyShare.toFixed(1)}%)`,
          'no value': row.valueCurrency ? String(row.valueMissing + row.valueInvalid) : '-',
        }
      : {};
  const display = rows.map((row) => ({
    day: row.day === TOTAL ? `total ${row.periodFrom}…${row.periodTo}` : row.day,
    touchpoint: row.touchpoint,
    channel: row.channel,
    segment: row.segment,
    journey:
      row.journeyStep === NONE || row.journeyStep === '*'
        ? row.journeyId
        : `${row.journeyId}/${row.journeyStep}`,
    metric: row.metric ?? '-',
    invited: String(row.invited),
    skipped: String(row.skipped),
    sent: String(row.sent),
    'deliv.': String(row.delivered),
    answered: String(row.answered),
    'resp.rate':
      row.responseRate === null
        ? '-'
        : `${formatRate(row.responseRate)}${row.responseRateBasis === 'sent' ? '*' : ''}`,
    n: String(row.n),
    score: row.score === null ? '-' : row.score.toFixed(1),
    '95% CI': row.ciLow === null ? '-' : formatInterval(row.ciLow, row.ciHigh),
    '7d': row.rolling7Score === null ? '-' : row.rolling7Score.toFixed(1),
    '7d 95% CI':
      row.rolling7CiLow === null ? '-' : formatInterval(row.rolling7CiLow, row.rolling7CiHigh),
    '7d n': row.day === TOTAL ? '-' : `${row.rolling7N}${row.rolling7LowN ? ' low' : ''}`,
    'vs week before':
      row.weekOverWeekChange === null
        ? '-'
        : `${signed(row.weekOverWeekChange)}${row.weekOverWeekSignificant ? ' ▲' : ''}${row.weekOverWeekLowN ? ' (low n)' : ''}`,
    target: row.target === null ? '-' : String(row.target),
    ...valueColumns(row),
    flags: row.lowN && row.n > 0 ? 'low-n' : '',
  }));
  return (
    columns(display) +
    '* response rate over sent: not every sent survey has a known delivery outcome. ' +
    'low-n: fewer than 30 answers (never marked significant). ▲ significant change (p < 0.05). ' +
    '95 % intervals as [low, high]; NPS: adjusted Wald, CSAT/CES: Wilson.\n' +
    (valued
      ? 'at risk: the answered value with unhappy customers (NPS detractors, CSAT not satisfied, ' +
        'CES not easy), and its share; no value: answers whose interaction had none, or not a number.\n'
      : '')
  );
}

/** The drivers as a table: one line per option and score group. */
export function driversToTable(rows: DriverRow[]): string {
  if (!rows.length) {
    return 'no questionnaire answers in that period (programs with `questions` only)\n';
  }
  return (
    columns(
      rows.map((row) => ({
        touchpoint: row.touchpoint,
        question: row.questionId,
        answer: row.label,
        group: row.group === '*' ? 'all' : row.group,
        answered: String(row.answered),
        count: String(row.count),
        share: row.share === null ? '-' : `${row.share.toFixed(1)} %`,
        '95% CI': row.ciLow === null ? '-' : formatInterval(row.ciLow, row.ciHigh),
        flags: row.lowN && row.answered > 0 ? 'low-n' : '',
      })),
    ) +
    "share: of the group's customers who answered the question (several choices may add up to more than 100 %). " +
    '95 % Wilson intervals as [low, high]. low-n: fewer than 30 answers.\n'
  );
}
