/**
 * The nightly digest for CX leads: yesterday's headline numbers per touchpoint with their margins,
 * the week against the week before, what changed significantly, and a link to the dashboard.
 */
import type { ReportRow } from '../contracts/report.js';
import { html } from '../domain/html.js';
import { addDays, dayOf } from '../domain/time.js';
import type { Runtime } from '../runtime.js';
import { report } from './report.js';

export interface Digest {
  day: string;
  subject: string;
  html: string;
  text: string;
  rows: ReportRow[];
}

const METRIC_NAMES = { nps: 'NPS', csat: 'CSAT', ces: 'CES' } as const;

function formatScore(row: ReportRow): string {
  if (row.score === null) return 'no answers';
  const unit = row.metric === 'nps' ? '' : ' %';
  return `${row.score.toFixed(1)}${unit} ± ${row.margin?.toFixed(1) ?? '?'} (n = ${row.n}${row.lowN ? ', low n' : ''})`;
}

function formatChange(row: ReportRow): string {
  if (row.weekOverWeekChange === null) return '–';
  const sign = row.weekOverWeekChange >= 0 ? '+' : '';
  return `${sign}${row.weekOverWeekChange.toFixed(1)}${row.weekOverWeekSignificant ? ' (significant)' : ''}`;
}

export async function buildDigest(
  rt: Runtime,
  options: { now: Date; day?: string; dashboardUrl: string },
): Promise<Digest> {
  const day = options.day ?? addDays(dayOf(options.now, rt.config.timeZone), -1);
  const rows = (await report(rt, { from: day, to: day, by: ['touchpoint'] })).filter(
    (row) => row.metric,
  );
  const significant = rows.filter((row) => row.weekOverWeekSignificant);
  const subject = `${rt.config.brand} customer feedback, ${day}: ${rows.map((r) => `${r.touchpoint} ${r.score === null ? '–' : r.score.toFixed(0)}`).join(', ') || 'no answers'}`;
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="margin:0;padding:16px;background:#f4f4f5;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px;margin:0 auto;background:#fff;border-radius:8px"><tr><td style="padding:20px">
<h1 style="font-size:20px;margin:0 0 12px">${rt.config.brand}: customer feedback for ${day}</h1>
<table width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:14px">
<tr style="text-align:left;border-bottom:2px solid #d4d4d8"><th>Touchpoint</th><th>Score (95 %)</th><th>7 days</th><th>vs week before</th><th>Target</th><th>Response rate</th></tr>
${rows.map(
  (row) =>
    html`<tr style="border-bottom:1px solid #e4e4e7"><td>${row.touchpoint} (${METRIC_NAMES[row.metric!]})</td><td>${formatScore(row)}</td><td>${row.rolling7Score === null ? '–' : row.rolling7Score.toFixed(1)}</td><td>${formatChange(row)}</td><td>${row.target ?? '–'}</td><td>${row.responseRate === null ? '–' : `${(row.responseRate * 100).toFixed(0)} %`}</td></tr>`,
)}
</table>
<h2 style="font-size:16px;margin:20px 0 8px">What changed significantly</h2>
${significant.length ? html`<ul>${significant.map((row) => html`<li>${row.touchpoint}: ${formatChange(row)} points over the last 7 days</li>`)}</ul>` : html`<p>Nothing changed significantly against the week before.</p>`}
<p><a href="${options.dashboardUrl}" style="color:#1d4ed8">Open the dashboard</a></p>
</td></tr></table>
</body></html>`;
  const text = [
    `${rt.config.brand}: customer feedback for ${day}`,
    '',
    ...rows.map(
      (row) =>
        `${row.touchpoint} (${METRIC_NAMES[row.metric!]}): ${formatScore(row)}; 7 days ${row.rolling7Score?.toFixed(1) ?? '–'}; vs week before ${formatChange(row)}; target ${row.target ?? '–'}`,
    ),
    '',
    significant.length
      ? `Changed significantly: ${significant.map((row) => `${row.touchpoint} ${formatChange(row)}`).join('; ')}`
      : 'Nothing changed significantly against the week before.',
    '',
    `Dashboard: ${options.dashboardUrl}`,
  ].join('\n');
  return { day, subject, html: body.value, text, rows };
}

/** Sends the digest to the configured CX leads; returns how many were sent (0: none configured). */
export async function sendDigest(
  rt: Runtime,
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
