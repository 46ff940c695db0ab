/** Report output: an aligned table for people, CSV and JSON for tools. */
import { SkipReason } from '../contracts/invitation.js';
import { NONE, TOTAL, type ReportRow } from '../contracts/report.js';
import { formatInterval, formatRate } from '../domain/display.js';
import { DRIVER_COLUMNS, type DriverRow } from '../domain/driver-rows.js';

/** The CSV's first columns, in their original order; later additions follow, so positions hold. */
export const REPORT_COLUMNS: (keyof ReportRow)[] = [
  'day',
  'touchpoint',
  'channel',
  'segment',
  'journeyStep',
  'metric',
  'invited',
  'skipped',
  'sent',
  'delivered',
  'bounced',
  'complained',
  'answered',
  'responseRate',
  'responseRateBasis',
  'n',
  'score',
  'ciLow',
  'ciHigh',
  'margin',
  'interval',
  'lowN',
  'mean',
  'target',
  'rolling7Score',
  'rolling7N',
  'rolling28Score',
  'rolling28N',
  'weekOverWeekChange',
  'weekOverWeekSignificant',
  'journeyId',
  'periodFrom',
  'periodTo',
  'failed',
  'unknown',
  'expired',
  'outcomeKnown',
  'adjustedScore',
  'meanCiLow',
  'meanCiHigh',
  'meanInterval',
  'rolling7CiLow',
  'rolling7CiHigh',
  'rolling7Interval',
  'rolling7LowN',
  'rolling28CiLow',
  'rolling28CiHigh',
  'rolling28Interval',
  'rolling28LowN',
  'weekOverWeekZ',
  'weekOverWeekP',
  'weekOverWeekTest',
  'weekOverWeekLowN',
];

/** `skippedByReason` as one column per known reason, and `skipped.other` for any other. */
export const SKIP_COLUMNS = [
  ...SkipReason.options.map((reason) => `skipped.${reason}`),
  'skipped.other',
];

/**
 * Decimals a spreadsheet needs (JSON keeps full precision): points and percents to 2, the mean
 * and z to 3, the response rate (a fraction) to 4. p values keep 3 significant digits instead, so
 * a tiny p does not print as 0.
 */
const DECIMALS: Partial<Record<keyof ReportRow, number>> = {
  responseRate: 4,
  score: 2,
  ciLow: 2,
  ciHigh: 2,
  margin: 2,
  adjustedScore: 2,
  target: 2,
  rolling7Score: 2,
  rolling7CiLow: 2,
  rolling7CiHigh: 2,
  rolling28Score: 2,
  rolling28CiLow: 2,
  rolling28CiHigh: 2,
  weekOverWeekChange: 2,
  mean: 3,
  meanCiLow: 3,
  meanCiHigh: 3,
  weekOverWeekZ: 3,
};
const SIGNIFICANT_DIGITS: Partial<Record<keyof ReportRow, number>> = { weekOverWeekP: 3 };

export function roundForCsv(column: keyof ReportRow, value: number): string {
  const decimals = DECIMALS[column];
  if (decimals !== undefined) return String(Number(value.toFixed(decimals)));
  const digits = SIGNIFICANT_DIGITS[column];
  if (digits !== undefined) return String(Number(value.toPrecision(digits)));
  return String(value);
}

function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote when needed, and defuse spreadsheet formulas from values that start with = + - @.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function skipCells(row: ReportRow): number[] {
  const known = new Set<string>(SkipReason.options);
  const other = Object.entries(row.skippedByReason)
    .filter(([reason]) => !known.has(reason))
    .reduce((sum, [, count]) => sum + count, 0);
  return [...SkipReason.options.map((reason) => row.skippedByReason[reason] ?? 0), other];
}

export function toCsv(rows: ReportRow[]): string {
  const lines = [[...REPORT_COLUMNS, ...SKIP_COLUMNS].join(',')];
  for (const row of rows) {
    const cells = REPORT_COLUMNS.map((column) => {
      const value = row[column];
      // only number and text columns are listed; the record is split into SKIP_COLUMNS
      if (typeof value === 'object' && value !== null) return '';
      return typeof value === 'number' ? roundForCsv(column, value) : csvCell(value);
    });
    lines.push([...cells, ...skipCells(row)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

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
    flags: row.lowN && row.n > 0 ? 'low-n' : '',
  }));
  return (
    columns(display) +
    '* response rate over sent: not every sent survey has a known delivery outcome. ' +
    'low-n: fewer than 30 answers (never marked significant). ▲ significant change (p < 0.05). ' +
    '95 % intervals as [low, high]; NPS: adjusted Wald, CSAT/CES: Wilson.\n'
  );
}

/** The drivers' long rows as CSV: shares and bounds in percent, two decimals. */
export function driversToCsv(rows: DriverRow[]): string {
  const lines = [DRIVER_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      DRIVER_COLUMNS.map((column) => {
        const value = row[column];
        if (typeof value === 'number' && ['share', 'ciLow', 'ciHigh'].includes(column)) {
          return String(Number(value.toFixed(2)));
        }
        return typeof value === 'number' ? String(value) : csvCell(value);
      }).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
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
