/** `report`: metrics, drivers and follow-up measures, from the local or a deployed stack. */
import { loadConfig } from '../../config/load.js';
import { addDays, dayOf } from '../../domain/time.js';
import type { Runtime } from '../../runtime.js';
import { DEFAULT_REPORT_DAYS, DIMENSIONS, report, type Dimension } from '../../usecases/report.js';
import { columns, driversToTable, printable, toTable } from '../format.js';
import { driversToCsv, toCsv } from '../../contracts/report-csv.js';
import { formatDrivers, unhappyDrivers } from '../../domain/drivers.js';
import { driverRows } from '../../domain/driver-rows.js';
import { TOTAL } from '../../contracts/report.js';
import { formatInterval } from '../../domain/display.js';
import { followUpMeasures, type Share } from '../../usecases/follow-up-measures.js';
import { withRuntime, day, positiveInt } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { report as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  if (values.metric === 'follow-up') return followUpReport(values);
  if (values.metric !== 'scores' && values.metric !== 'drivers') {
    throw new UsageError(`--metric must be scores, drivers or follow-up, got "${values.metric}"`);
  }
  const format = values.format;
  if (!['table', 'csv', 'json'].includes(format))
    throw new UsageError(`--format must be table, csv or json, got "${format}"`);
  // `journey` is the journey id; `journeyStep` keeps its journey too (see groupingDimensions).
  const by = values.by
    ?.flatMap((v) => v.split(','))
    .map((dimension) => (dimension === 'journey' ? 'journeyId' : dimension));
  for (const dimension of by ?? []) {
    if (!DIMENSIONS.includes(dimension as Dimension)) {
      throw new UsageError(
        `--by must be one of touchpoint, channel, segment, journey, journeyStep, got "${dimension}"`,
      );
    }
  }
  const config = loadConfig();
  const to = day(values.to, '--to') ?? dayOf(new Date(), config.timeZone);
  const from = day(values.from, '--from') ?? addDays(to, -(DEFAULT_REPORT_DAYS - 1));
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  // Per touchpoint over the whole period: the questionnaire's options by score group.
  const driversOf = (rt: Runtime) =>
    report(rt, { from, to, by: ['touchpoint'], totals: true }).then((rows) =>
      rows.filter((row) => row.day === TOTAL),
    );
  const programOf = (touchpoint: string) =>
    config.programs.find((program) => program.touchpoint === touchpoint);
  if (values.metric === 'drivers') {
    const drivers = driverRows(await withRuntime(values, driversOf), programOf);
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify(drivers, null, 2)}\n`
        : format === 'csv'
          ? driversToCsv(drivers)
          : driversToTable(drivers),
    );
    return 0;
  }
  const [rows, totals] = await withRuntime(values, (rt) =>
    Promise.all([
      report(rt, { from, to, by: by as Dimension[] | undefined, totals: true }),
      format === 'table' ? driversOf(rt) : [],
    ]),
  );
  // Under the table: why the unhappy customers of each touchpoint scored low, over the period.
  const reasons = totals.flatMap((row) =>
    unhappyDrivers(row, programOf(row.touchpoint)).map(
      (summary) => `  ${printable(formatDrivers(row.touchpoint, summary))}\n`,
    ),
  );
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify(rows, null, 2)}\n`
      : format === 'csv'
        ? toCsv(rows)
        : toTable(rows) +
          (reasons.length
            ? `\nTop reasons of unhappy customers, ${from} to ${to} (more: --metric drivers):\n${reasons.join('')}`
            : ''),
  );
  return 0;
}

/** `report --metric follow-up`: how fast cases close, why, and whether customers recover. */
async function followUpReport(values: {
  from?: string;
  to?: string;
  by?: string[];
  format: string;
  'recovery-window'?: string;
  stack?: string;
  region?: string;
  profile?: string;
}): Promise<number> {
  if (!['table', 'json'].includes(values.format)) {
    throw new UsageError(
      `--format must be table or json with --metric follow-up, got "${values.format}"`,
    );
  }
  const by = values.by?.flatMap((v) => v.split(',')) ?? ['touchpoint'];
  if (by.length !== 1 || (by[0] !== 'touchpoint' && by[0] !== 'owner')) {
    throw new UsageError(
      `--by must be touchpoint or owner with --metric follow-up, got "${by.join(',')}"`,
    );
  }
  const config = loadConfig();
  const to = day(values.to, '--to') ?? dayOf(new Date(), config.timeZone);
  const from = day(values.from, '--from') ?? addDays(to, -(DEFAULT_REPORT_DAYS - 1));
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const recoveryWindowDays = positiveInt(values['recovery-window'], '--recovery-window');
  const rows = await withRuntime(values, (rt) =>
    followUpMeasures(rt, {
      from,
      to,
      by: by[0] as 'touchpoint' | 'owner',
      now: new Date(),
      ...(recoveryWindowDays ? { recoveryWindowDays } : {}),
    }),
  );
  if (values.format === 'json') {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const shareText = (s: Share) =>
    s.share === null
      ? '-'
      : `${s.share.toFixed(0)}% ${formatInterval(s.ciLow, s.ciHigh)} n=${s.n}${s.lowN ? ' low' : ''}`;
  const hours = (h: number | null) => (h === null ? '-' : `${h.toFixed(1)} h`);
  process.stdout.write(
    columns(
      rows.map((r) => ({
        [by[0]!]: r.group === '*' ? `all, ${from}…${to}` : r.group,
        opened: String(r.opened),
        open: String(r.open),
        overdue: String(r.overdue),
        'within deadline': shareText(r.withinDeadline),
        'to contact': hours(r.medianHoursToFirstContact),
        'to close': hours(r.medianHoursToClose),
        'root causes': r.rootCauses.map((c) => `${c.rootCause} ${c.count}`).join(', ') || '-',
        'recovered, followed up': shareText(r.recoveryFollowedUp),
        'recovered, not': shareText(r.recoveryNotFollowedUp),
      })),
    ) +
      `Times are medians from the answer. Recovered: the customer's next answer within ${rows[0]?.recoveryWindowDays ?? 90} days was above the follow-up threshold; the groups differ in more than the follow-up, so this describes, it does not prove cause. 95 % Wilson intervals; low: fewer than 30.\n`,
  );
  return 0;
}
