/**
 * The rollup rows and drivers as CSV, for spreadsheets and BI tools: the dashboard's exports and
 * `afterword report --format csv` write the same columns, in an order later additions keep.
 */
import { SkipReason } from './invitation.js';
import type { ReportRow } from './report.js';
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
  'valueCurrency',
  'valueAnswers',
  'valueAnswered',
  'valueUnhappy',
  'valueUnhappyShare',
  'valueHappy',
  'valueHappyShare',
  'valueMissing',
  'valueInvalid',
  'reviewOffered',
  'reviewClicked',
  'reviewClickRate',
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
  reviewClickRate: 4,
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
  valueUnhappyShare: 2,
  valueHappyShare: 2,
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
