/**
 * The nightly digest for CX leads, per touchpoint: the last 7 days first (a single day is usually
 * too few answers to read), with its 95 % interval as [low, high]; the change against the 7 days
 * before and whether it is significant; the day itself; the target; the response rate of the
 * surveys sent in those 7 days; a link to the dashboard. Low-n is marked wherever a score appears.
 *
 * Primary course:
 * 1. Report the 7 days ending with the day, by touchpoint, with totals.
 * 2. Per touchpoint, the 7-day totals row (score, interval, funnel) and the day's row (the day's
 *    score and its week-over-week test).
 * 3. Render the subject, the HTML and the text.
 */
import { TOTAL, type ReportRow } from '../contracts/report.js';
import { scoreUnitOf } from '../domain/metric.js';
import { formatRate, formatScore } from '../domain/display.js';
import { LOW_N } from '../domain/scoring.js';
import { html } from '../domain/html.js';
import { addDays, dayOf } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { report, REPORT_USES } from './report.js';
import { expectationsFor, EXPECTATIONS_USES } from './expectations.js';
import { formatDrivers, unhappyDrivers } from '../domain/drivers.js';
import { describeValue } from '../domain/value.js';
import {
  describeGap,
  monthOf,
  perceptionGap,
  type PerceptionGap,
} from '../domain/perception-gap.js';
import { followUpMeasures, type Share, FOLLOW_UP_MEASURES_USES } from './follow-up-measures.js';

/** What digest reaches of the runtime: its functions are built with these and no more. */
export const DIGEST_USES = [
  ...EXPECTATIONS_USES,
  ...FOLLOW_UP_MEASURES_USES,
  ...REPORT_USES,
  'cases',
  'config',
  'mailer',
  'programFor',
  'publicBaseUrl',
] as const satisfies readonly RuntimePart[];
export type DigestDeps = Needs<typeof DIGEST_USES>;

export interface Digest {
  day: string;
  subject: string;
  html: string;
  text: string;
  /** Per touchpoint with a metric: its totals over the 7 days ending with `day` (day `total`). */
  rows: ReportRow[];
}

const METRIC_NAMES = { nps: 'NPS', csat: 'CSAT', ces: 'CES' } as const;

const unitOf = (row: ReportRow) => scoreUnitOf(row.metric);

/** A row's own score: on a 7-day totals row, the 7 days; on a day row, the day. */
function formatOwnScore(row: ReportRow | undefined): string {
  if (!row) return 'no answers';
  return formatScore(row.score, { low: row.ciLow, high: row.ciHigh }, row.n, row.lowN, unitOf(row));
}

function formatChange(row: ReportRow | undefined): string {
  if (!row || row.weekOverWeekChange === null) return '–';
  const sign = row.weekOverWeekChange >= 0 ? '+' : '';
  const change = `${sign}${row.weekOverWeekChange.toFixed(1)}`;
  if (row.weekOverWeekLowN) return `${change} (low n: not tested)`;
  const p = row.weekOverWeekP === null ? '' : `, p = ${formatP(row.weekOverWeekP)}`;
  return `${change} (${row.weekOverWeekSignificant ? 'significant' : 'not significant'}${p})`;
}

function formatP(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

function formatResponseRate(week: ReportRow): string {
  if (week.responseRate === null) return '–';
  const basis = week.responseRateBasis === 'sent' ? week.sent : week.delivered;
  return `${formatRate(week.responseRate)} of ${week.responseRateBasis} (${week.answered} of ${basis})`;
}

export async function buildDigest(
  rt: DigestDeps,
  options: { now: Date; day?: string; dashboardUrl: string },
): Promise<Digest> {
  const day = options.day ?? addDays(dayOf(options.now, rt.config.timeZone), -1);
  const weekStart = addDays(day, -6);
  const reported = (
    await report(rt, { from: weekStart, to: day, by: ['touchpoint'], totals: true })
  ).filter((row) => row.metric);
  // The 7-day totals are the rolling 7 days of `day`, also for a touchpoint quiet on the day itself.
  const weeks = reported.filter((row) => row.day === TOTAL);
  const dayRowOf = (week: ReportRow) =>
    reported.find(
      (row) => row.day === day && row.touchpoint === week.touchpoint && row.metric === week.metric,
    );
  const significant = weeks.filter((week) => dayRowOf(week)?.weekOverWeekSignificant);
  const untested = weeks.filter((week) => {
    const row = dayRowOf(week);
    return row && row.weekOverWeekChange !== null && row.weekOverWeekLowN;
  });
  // Follow-up cases still waiting for first contact past their deadline, per touchpoint.
  const at = options.now.toISOString();
  const overdue = new Map<string, number>();
  // Every kept case, read once: the overdue ones of any age, and the periods measured below.
  const cases = await rt.cases.opened(addDays(day, -rt.config.dataRetentionDays), addDays(day, 1));
  for (const followUp of cases) {
    if (followUp.status === 'open' && followUp.dueBy < at) {
      overdue.set(followUp.touchpoint, (overdue.get(followUp.touchpoint) ?? 0) + 1);
    }
  }
  const overdueList = [...overdue].sort(([a], [b]) => a.localeCompare(b));
  const [week] = (
    await followUpMeasures(rt, {
      cases,
      from: weekStart,
      to: day,
      by: 'touchpoint',
      now: options.now,
      recovery: false,
    })
  ).filter((row) => row.group === '*');
  // Recovery needs time for customers to answer again: the cases of the last 28 days.
  const [month] = (
    await followUpMeasures(rt, {
      cases,
      from: addDays(day, -27),
      to: day,
      by: 'touchpoint',
      now: options.now,
    })
  ).filter((row) => row.group === '*');
  const shareOf = (share: Share) =>
    share.share === null
      ? 'no answers yet'
      : `${formatRate(share.share / 100)} [${formatRate(share.ciLow! / 100)}, ${formatRate(share.ciHigh! / 100)}] of ${share.n}${share.lowN ? ', low n' : ''}`;
  const recoveryLine =
    month && month.opened
      ? `Customers whose next answer was no longer low (cases of the last 28 days): followed up ${shareOf(month.recoveryFollowedUp)}; not followed up ${shareOf(month.recoveryNotFollowedUp)}. A comparison, not proof of cause.`
      : undefined;
  const loopLine =
    week && week.opened
      ? `Follow-up cases opened in these 7 days: ${week.opened}${week.withdrawn ? ` (${week.withdrawn} withdrawn by the customer)` : ''}; handled within the deadline ${week.withinDeadline.share === null ? '–' : `${formatRate(week.withinDeadline.share / 100)} of ${week.withinDeadline.n}`}; median time to first contact ${week.medianHoursToFirstContact === null ? '–' : `${week.medianHoursToFirstContact.toFixed(1)} h`}.`
      : 'No follow-up case was opened in these 7 days.';
  const overdueLine = overdueList.length
    ? `Overdue follow-ups: ${overdueList.map(([touchpoint, count]) => `${touchpoint} ${count}`).join(', ')}.`
    : 'No follow-up is overdue.';
  // Why the unhappy ones scored low: the top reasons of each choice question, over the 7 days.
  const driverLines = weeks.flatMap((week) =>
    unhappyDrivers(week, rt.programFor(week.touchpoint)).map((summary) =>
      formatDrivers(week.touchpoint, summary),
    ),
  );
  // The perception gap: each owner's expectation for the month of `day` against the 7 days.
  const gaps = new Map<ReportRow, PerceptionGap>();
  const expectations = await expectationsFor(
    rt,
    monthOf(day),
    weeks.map((week) => week.touchpoint),
  );
  for (const week of weeks) {
    const expected = expectations.get(week.touchpoint);
    if (expected !== undefined) gaps.set(week, perceptionGap(monthOf(day), expected, week));
  }
  const gapOf = (week: ReportRow) => {
    const gap = gaps.get(week);
    return gap ? `${gap.expected}${gap.outside ? ' (outside the interval)' : ''}` : '–';
  };
  const gapLines = [...gaps].map(
    ([week, gap]) => `${week.touchpoint}: ${describeGap(gap, unitOf(week))}`,
  );
  const outsideLines = [...gaps]
    .filter(([, gap]) => gap.outside)
    .map(([week, gap]) => `${week.touchpoint}: ${describeGap(gap, unitOf(week))}`);
  // Revenue at risk: what the week's answered interactions were worth, per touchpoint.
  const valueLines = weeks.flatMap((week) => {
    const line = describeValue(week);
    return line ? [`${week.touchpoint}: ${line}`] : [];
  });
  // The review programme: happy customers invited to review this week, and how many followed.
  const reviewLines = weeks
    .filter((week) => week.reviewOffered > 0)
    .map(
      (week) =>
        `${week.touchpoint}: ${week.reviewOffered} invited to review, ${week.reviewClicked} followed (${formatRate(week.reviewClickRate ?? 0)}${week.reviewOffered < LOW_N ? ', low n' : ''})`,
    );
  const headline = (week: ReportRow) =>
    `${week.touchpoint} ${METRIC_NAMES[week.metric!]} ${
      week.score === null ? '–' : `${week.score.toFixed(1)}${unitOf(week)}`
    } (n = ${week.n}${week.lowN ? ', low n' : ''})`;
  const subject = `${rt.config.brand} customer feedback, 7 days to ${day}: ${weeks.map(headline).join('; ') || 'no answers'}`;
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="margin:0;padding:16px;background:#f4f4f5;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:720px;margin:0 auto;background:#fff;border-radius:8px"><tr><td style="padding:20px">
<h1 style="font-size:20px;margin:0 0 12px">${rt.config.brand}: customer feedback, ${weekStart} to ${day}</h1>
<table width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:14px">
<tr style="text-align:left;border-bottom:2px solid #d4d4d8"><th>Touchpoint</th><th>Last 7 days (95 % interval)</th><th>vs the 7 days before</th><th>${day} alone</th><th>Target</th><th>Owner expected</th><th>Response rate, 7 days</th></tr>
${weeks.map(
  (week) =>
    html`<tr style="border-bottom:1px solid #e4e4e7"><td>${week.touchpoint} (${METRIC_NAMES[week.metric!]})</td><td>${formatOwnScore(week)}</td><td>${formatChange(dayRowOf(week))}</td><td>${formatOwnScore(dayRowOf(week))}</td><td>${week.target ?? '–'}</td><td>${gapOf(week)}</td><td>${formatResponseRate(week)}</td></tr>`,
)}
</table>
<p style="font-size:12px;color:#52525b">Intervals are 95 % [low, high]: NPS adjusted Wald, CSAT and CES Wilson. Low n: fewer than 30 answers, too few to call a change. Response rates count answers until the links close, so recent days still rise.</p>
<h2 style="font-size:16px;margin:20px 0 8px">What changed significantly</h2>
${significant.length ? html`<ul>${significant.map((week) => html`<li>${week.touchpoint}: ${formatChange(dayRowOf(week))} points over the last 7 days</li>`)}</ul>` : html`<p>Nothing changed significantly against the 7 days before.</p>`}
${untested.length ? html`<p style="font-size:12px;color:#52525b">Too few answers to test a change: ${untested.map((week) => week.touchpoint).join(', ')}.</p>` : ''}
${outsideLines.length ? html`<h2 style="font-size:16px;margin:20px 0 8px">Where owners expect something else</h2><ul>${outsideLines.map((line) => html`<li>${line}</li>`)}</ul>` : ''}
${driverLines.length ? html`<h2 style="font-size:16px;margin:20px 0 8px">Top reasons of unhappy customers</h2><ul>${driverLines.map((line) => html`<li>${line}</li>`)}</ul>` : ''}
${valueLines.length ? html`<h2 style="font-size:16px;margin:20px 0 8px">Revenue at risk</h2><ul>${valueLines.map((line) => html`<li>${line}</li>`)}</ul>` : ''}
${reviewLines.length ? html`<h2 style="font-size:16px;margin:20px 0 8px">Invited to review</h2><ul>${reviewLines.map((line) => html`<li>${line}</li>`)}</ul>` : ''}
<h2 style="font-size:16px;margin:20px 0 8px">Unhappy customers waiting</h2>
<p>${loopLine}</p>${recoveryLine ? html`<p>${recoveryLine}</p>` : ''}
<p>${overdueLine}${overdueList.length ? html` <a href="${new URL('/dashboard/cases?status=overdue', options.dashboardUrl).toString()}" style="color:#1d4ed8">See the overdue cases</a>` : ''}</p>
<p><a href="${options.dashboardUrl}" style="color:#1d4ed8">Open the dashboard</a></p>
</td></tr></table>
</body></html>`;
  const text = [
    `${rt.config.brand}: customer feedback, ${weekStart} to ${day}`,
    '',
    ...weeks.map(
      (week) =>
        `${week.touchpoint} (${METRIC_NAMES[week.metric!]}): last 7 days ${formatOwnScore(week)}; vs the 7 days before ${formatChange(dayRowOf(week))}; ${day} alone ${formatOwnScore(dayRowOf(week))}; target ${week.target ?? '–'}; owner expected ${gapOf(week)}; response rate ${formatResponseRate(week)}`,
    ),
    '',
    significant.length
      ? `Changed significantly: ${significant.map((week) => `${week.touchpoint} ${formatChange(dayRowOf(week))}`).join('; ')}`
      : 'Nothing changed significantly against the 7 days before.',
    ...(untested.length
      ? [`Too few answers to test a change: ${untested.map((week) => week.touchpoint).join(', ')}.`]
      : []),
    ...(gapLines.length
      ? ['', "The perception gap (owners' expectations against the last 7 days):", ...gapLines]
      : []),
    ...(driverLines.length ? ['', 'Top reasons of unhappy customers:', ...driverLines] : []),
    ...(valueLines.length
      ? ['', "Revenue at risk (the answered interactions' value, last 7 days):", ...valueLines]
      : []),
    ...(reviewLines.length
      ? ['', 'Happy customers invited to review (last 7 days):', ...reviewLines]
      : []),
    '',
    loopLine,
    ...(recoveryLine ? [recoveryLine] : []),
    overdueLine,
    '',
    'Intervals are 95 % [low, high]. Low n: fewer than 30 answers.',
    `Dashboard: ${options.dashboardUrl}`,
  ].join('\n');
  return { day, subject, html: body.value, text, rows: weeks };
}

/** Sends the digest to the configured CX leads; returns how many were sent (0: none configured). */
export async function sendDigest(
  rt: DigestDeps,
  options: { now: Date; day?: string; dashboardUrl?: string },
): Promise<number> {
  const digest = rt.config.digest;
  if (!digest) return 0;
  const dashboardUrl =
    digest.dashboardUrl ??
    options.dashboardUrl ??
    new URL('/dashboard', rt.publicBaseUrl).toString();
  const built = await buildDigest(rt, { ...options, dashboardUrl });
  for (const to of digest.recipients) {
    await rt.mailer.send({
      from: rt.config.sender,
      to,
      subject: built.subject,
      html: built.html,
      text: built.text,
    });
  }
  return digest.recipients.length;
}
