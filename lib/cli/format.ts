/** Report output: an aligned table for people, CSV and JSON for tools. */
import type { ReportRow } from '../contracts/report.js';

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
];

function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote when needed, and defuse spreadsheet formulas from values that start with = + - @.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(rows: ReportRow[]): string {
  const lines = [REPORT_COLUMNS.join(',')];
  for (const row of rows)
    lines.push(REPORT_COLUMNS.map((column) => csvCell(row[column])).join(','));
  return `${lines.join('\n')}\n`;
}

export function toTable(rows: ReportRow[]): string {
  if (!rows.length) return 'no rollup rows in that period (run `afterword rollup` first?)\n';
  const display = rows.map((row) => ({
    day: row.day,
    touchpoint: row.touchpoint,
    channel: row.channel,
    segment: row.segment,
    step: row.journeyStep,
    metric: row.metric ?? '-',
    invited: String(row.invited),
    skipped: String(row.skipped),
    sent: String(row.sent),
    answered: String(row.answered),
    'resp.rate':
      row.responseRate === null
        ? '-'
        : `${(row.responseRate * 100).toFixed(0)}%${row.responseRateBasis === 'sent' ? '*' : ''}`,
    n: String(row.n),
    score: row.score === null ? '-' : row.score.toFixed(1),
    '95% CI':
      row.ciLow === null || row.ciHigh === null
        ? '-'
        : `${row.ciLow.toFixed(1)}…${row.ciHigh.toFixed(1)}`,
    '7d': row.rolling7Score === null ? '-' : row.rolling7Score.toFixed(1),
    'vs week before':
      row.weekOverWeekChange === null
        ? '-'
        : `${row.weekOverWeekChange >= 0 ? '+' : ''}${row.weekOverWeekChange.toFixed(1)}${row.weekOverWeekSignificant ? ' ▲' : ''}`,
    target: row.target === null ? '-' : String(row.target),
    flags: row.lowN && row.n > 0 ? 'low-n' : '',
  }));
  const headers = Object.keys(display[0]!);
  const widths = headers.map((h) =>
    Math.max(h.length, ...display.map((r) => (r as Record<string, string>)[h]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return (
    [
      line(headers),
      line(widths.map((w) => '-'.repeat(w))),
      ...display.map((r) => line(headers.map((h) => (r as Record<string, string>)[h]!))),
    ].join('\n') +
    '\n* response rate over sent: delivery not yet known. low-n: fewer than 30 answers. ▲ significant change (95 %).\n'
  );
}
