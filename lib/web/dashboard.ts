/**
 * The CX dashboard's pages: per touchpoint, the rolling 7 days with its 95 % interval as
 * [low, high] against the target; the daily score with its error band (low-n days hollow), the
 * rolling 7 days and the target; the response-rate trend; the response funnel with its basis; the
 * latest comments of unhappy customers; drill-down from a touchpoint and day to its answers and
 * comments, and from an answer to the customer's timeline. Filters and the period are GET
 * parameters (shareable URLs); server-rendered HTML and SVG: no script, nothing from a CDN,
 * escaped throughout. What a user sees is limited to the touchpoints their role shows them.
 */
import type { DashboardUser } from '../auth/roles.js';
import { scoreUnitOf } from '../domain/metric.js';
import type { Program } from '../domain/program.js';
import { NONE, type ReportRow } from '../contracts/report.js';
import { formatInterval, formatRate } from '../domain/display.js';
import { groupName, labelsOf } from '../domain/drivers.js';
import { SCORE_GROUPS } from '../domain/questionnaire.js';
import { LOW_N } from '../domain/scoring.js';
import { monthOf } from '../domain/perception-gap.js';
import { expectationForms, expectedCell } from './expectation-form.js';
import { html, type SafeHtml } from '../domain/html.js';
import { dayOf } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';
import type { AnswerView, CustomerView, DashboardData } from '../usecases/dashboard.js';
import {
  RANGES,
  type DashboardQuery,
  type FilterName,
  queryParams,
} from '../usecases/dashboard-query.js';
import { responseRateChart, trendChart } from './charts.js';
import { valueSection } from './value-section.js';
import { reviewSection } from './review-section.js';

/** What dashboard reaches of the runtime: its functions are built with these and no more. */
export const WEB_DASHBOARD_USES = ['config'] as const satisfies readonly RuntimePart[];
export type WebDashboardDeps = Needs<typeof WEB_DASHBOARD_USES>;

const METRIC_NAMES = {
  nps: 'NPS',
  csat: 'CSAT (% satisfied)',
  ces: 'CES (% agree it was easy)',
} as const;

/** What every dashboard page shows around its content: who is signed in, and signing out. */
export interface PageContext {
  brand: string;
  user: DashboardUser;
  /** The session's CSRF token, for the sign-out form. */
  csrf: string;
}

export function layout(context: PageContext, title: string, body: SafeHtml): string {
  const who = context.user.name ?? context.user.email ?? 'signed in';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title} · ${context.brand}</title>
<link rel="stylesheet" href="/dashboard/assets/dashboard.css"></head>
<body><main>
<header class="top"><h1>${title}</h1>
<p class="who">${who} (${context.user.roles.join(', ') || 'no role'}) · <a href="/dashboard/cases">Follow-up cases</a> · <form method="post" action="/dashboard/auth/logout"><input type="hidden" name="csrf" value="${context.csrf}"><button type="submit" class="link-button">Sign out</button></form></p></header>
${body}
</main></body></html>`.value;
}

/** A page for a signed-out visitor or an error: no user, no data. */
export function messagePage(title: string, text: string, link?: { href: string; label: string }) {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<link rel="stylesheet" href="/dashboard/assets/dashboard.css"></head>
<body><main><section><h1>${title}</h1><p>${text}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}</section></main></body></html>`
    .value;
}

function filterForm(data: DashboardData, action: string): SafeHtml {
  const { query, choices } = data;
  const select = (name: FilterName, label: string) =>
    html`<label>${label}<select name="${name}"><option value="">All</option>${choices[name].map(
      (value) =>
        html`<option value="${value}"${query.filters[name] === value ? html` selected` : ''}>${value === NONE ? '(none)' : value}</option>`,
    )}</select></label>`;
  const preset = (name: keyof typeof RANGES, label: string) =>
    html`<a href="${action}?${queryParams({ ...query, range: name })}"${query.range === name ? html` aria-current="true"` : ''}>${label}</a>`;
  return html`<section aria-label="Period and filters">
<p class="presets">Period: ${preset('7d', 'Last 7 days')} ${preset('28d', 'Last 28 days')} ${preset('90d', 'Last 90 days')}</p>
<form class="filters" method="get" action="${action}">
<label>From<input type="date" name="from" value="${query.from}"></label>
<label>To<input type="date" name="to" value="${query.to}"></label>
${select('touchpoint', 'Touchpoint')}${select('channel', 'Channel')}${select('segment', 'Segment')}${select('journey', 'Journey')}${select('step', 'Journey step')}
<input type="hidden" name="range" value="custom">
<button type="submit">Apply</button>
</form></section>`;
}

function againstTarget(row: ReportRow): SafeHtml {
  if (row.target === null || row.rolling7Score === null) return html``;
  return row.rolling7Score >= row.target
    ? html` <span class="on-target">▲ on target</span>`
    : html` <span class="below-target">▼ below target</span>`;
}

/** A share as "6 · 60 % [31, 83]", or the bare count when nobody in the group answered. */
function shareCell(share: {
  count: number;
  share: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  lowN: boolean;
}) {
  if (share.share === null) return html`${share.count}`;
  return html`${share.count} · ${share.share.toFixed(0)} % ${formatInterval(share.ciLow, share.ciHigh, 0)}`;
}

/**
 * The questionnaire over the period: per choice question, each option's count and share among
 * those who answered, overall and per score group (drivers), with 95 % Wilson intervals; a
 * rating's mean and distribution; how many wrote a text (read them with the answers).
 */
function questionsSection(
  total: ReportRow | undefined,
  program: Program | undefined,
): SafeHtml | '' {
  if (!total?.questions.length) return '';
  const labels = labelsOf(program);
  const groups = total.metric ? SCORE_GROUPS[total.metric] : [];
  return html`<h3>Answers to the questions, ${total.periodFrom} to ${total.periodTo}</h3>
${total.questions.map((result) => {
  const question = labels.question(result.questionId);
  if (result.type === 'text') {
    return html`<p>“${question}”: answered by ${result.answered}.</p>`;
  }
  const present = groups.filter((group) => (result.answeredByGroup[group] ?? 0) > 0);
  const mean =
    result.mean === null
      ? ''
      : html`<p class="meta">Mean ${result.mean.toFixed(2)} ${formatInterval(result.meanCiLow, result.meanCiHigh, 2)} on 1–5.</p>`;
  return html`<div class="scroll"><table><caption>“${question}”, answered by ${result.answered}${result.answered < LOW_N ? html` <span class="low-n-mark">low n</span>` : ''}</caption>
<tr><th>Answer</th><th class="num">All</th>${present.map((group) => html`<th class="num">${groupName(group)} (${result.answeredByGroup[group]})</th>`)}</tr>
${result.options.map(
  (option) =>
    html`<tr><td>${result.type === 'rating' ? option.option : labels.option(result.questionId, option.option)}</td><td class="num">${shareCell(option)}</td>${present.map((group) => html`<td class="num">${shareCell(option.byGroup[group] ?? { count: 0, share: null, ciLow: null, ciHigh: null, lowN: true })}</td>`)}</tr>`,
)}
</table></div>${mean}`;
})}
<p class="meta">Count · share of those who answered the question [95 % Wilson interval]. With several choices allowed, shares add up to more than 100 %.</p>`;
}

export function dashboardPage(data: DashboardData, context: PageContext): string {
  const { query } = data;
  const touchpoints = [...new Set(data.rows.map((row) => row.touchpoint))].sort();
  const rowsOf = (touchpoint: string) => data.rows.filter((r) => r.touchpoint === touchpoint);
  const latest = (touchpoint: string) => rowsOf(touchpoint).at(-1);
  const totalOf = (touchpoint: string) => data.totals.find((r) => r.touchpoint === touchpoint);
  const unit = (row: ReportRow) => scoreUnitOf(row.metric);
  const change = (row: ReportRow) => {
    if (row.weekOverWeekChange === null) return '–';
    const value = `${row.weekOverWeekChange >= 0 ? '+' : ''}${row.weekOverWeekChange.toFixed(1)}`;
    if (row.weekOverWeekLowN) return `${value} (low n: not tested)`;
    const p =
      row.weekOverWeekP === null
        ? ''
        : `, p = ${row.weekOverWeekP < 0.001 ? '< 0.001' : row.weekOverWeekP.toFixed(3)}`;
    return `${value} (${row.weekOverWeekSignificant ? 'significant' : 'not significant'}${p})`;
  };
  const skippedByReason = (row: ReportRow) =>
    Object.entries(row.skippedByReason)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
  const rate = (row: ReportRow) =>
    row.responseRate === null ? '–' : `${formatRate(row.responseRate)} of ${row.responseRateBasis}`;
  const answersLink = (touchpoint: string, from = query.from, to = query.to) =>
    `/dashboard/answers?${queryParams({ ...query, range: 'custom', from, to }, { touchpoint })}`;
  const params = queryParams(query);
  const month = monthOf(query.to);
  const body = html`${filterForm(data, '/dashboard')}
<section><h2>Now: the last 7 days to ${query.to}</h2>
${
  touchpoints.length
    ? html`<div class="scroll"><table><tr><th>Touchpoint</th><th class="num">Rolling 7 days</th><th class="num">95 % interval</th><th class="num">n</th><th class="num">vs week before</th><th class="num">Target</th><th class="num">Owner expected</th></tr>
${touchpoints.map((touchpoint) => {
  const row = latest(touchpoint)!;
  return html`<tr><td><a href="#${touchpoint}">${touchpoint}</a> · ${METRIC_NAMES[row.metric!]}</td><td class="num">${row.rolling7Score === null ? '–' : `${row.rolling7Score.toFixed(1)}${unit(row)}`}${againstTarget(row)}</td><td class="num">${formatInterval(row.rolling7CiLow, row.rolling7CiHigh)}</td><td class="num">${row.rolling7N}${row.rolling7LowN ? html` <span class="low-n-mark">low n</span>` : ''}</td><td class="num${row.weekOverWeekSignificant ? ' significant' : ''}">${change(row)}</td><td class="num">${row.target ?? '–'}</td><td class="num">${expectedCell(data.expectations.get(touchpoint), month, row)}</td></tr>`;
})}
</table></div>
<p class="meta">95 % intervals as [low, high]: NPS adjusted Wald, CSAT and CES Wilson. Low n: fewer than 30 answers; a change is then never called significant.</p>
${expectationForms(touchpoints, data.expectations, data.recordableMonth, { csrf: context.csrf, query: params })}`
    : html`<p>No answers or surveys in this period${Object.keys(query.filters).length ? ' for these filters' : ''}.</p>`
}
<p class="exports">Export what is shown: <a href="/dashboard/export.csv?${params}">CSV</a> <a href="/dashboard/export.json?${params}">JSON</a>${data.totals.some((row) => row.questions.length) ? html` <a href="/dashboard/export-drivers.csv?${params}">Answers to the questions (CSV)</a>` : ''}</p></section>
${touchpoints.map((touchpoint) => {
  const rows = rowsOf(touchpoint);
  const title = `${touchpoint} · ${METRIC_NAMES[latest(touchpoint)!.metric!]}`;
  return html`<section id="${touchpoint}"><h2>${title}</h2>
${trendChart(rows, query.from, query.to, `Score, ${query.from} to ${query.to}`)}
${responseRateChart(rows, query.from, query.to, 'Response rate')}
<details><summary>Day by day, with the answers of each day</summary><div class="scroll"><table><tr><th>Day</th><th class="num">Score</th><th class="num">95 % interval</th><th class="num">n</th><th class="num">Response rate</th><th>Answers</th></tr>
${[...rows]
  .reverse()
  .map(
    (r) =>
      html`<tr><td>${r.day}</td><td class="num">${r.score === null ? '–' : r.score.toFixed(1)}</td><td class="num">${formatInterval(r.ciLow, r.ciHigh)}</td><td class="num">${r.n}${r.lowN && r.n ? html` <span class="low-n-mark">low n</span>` : ''}</td><td class="num">${rate(r)}</td><td>${r.n ? html`<a href="${answersLink(touchpoint, r.day, r.day)}">answers of ${r.day}</a>` : '–'}</td></tr>`,
  )}
</table></div></details>
${questionsSection(totalOf(touchpoint), data.programOf(touchpoint))}
<p><a href="${answersLink(touchpoint)}">All answers and comments, ${query.from} to ${query.to}</a></p></section>`;
})}
${
  touchpoints.length
    ? html`<section><h2>Response funnel, surveys sent ${query.from} to ${query.to}</h2>
<div class="scroll"><table><tr><th>Touchpoint</th><th class="num">Invited</th><th class="num">Skipped</th><th class="num">Sent</th><th class="num">Delivered</th><th class="num">Bounced</th><th class="num">Complained</th><th class="num">Failed</th><th class="num">Unknown</th><th class="num">Expired</th><th class="num">Answered</th><th class="num">Response rate</th></tr>
${touchpoints.map((touchpoint) => {
  const f = totalOf(touchpoint);
  if (!f) return '';
  return html`<tr><td>${touchpoint}</td><td class="num" title="${skippedByReason(f)}">${f.invited}</td><td class="num">${f.skipped}${f.skipped ? html`<br><span class="meta">${skippedByReason(f)}</span>` : ''}</td><td class="num">${f.sent}</td><td class="num">${f.delivered}</td><td class="num">${f.bounced}</td><td class="num">${f.complained}</td><td class="num">${f.failed}</td><td class="num">${f.unknown}</td><td class="num">${f.expired}</td><td class="num">${f.answered}</td><td class="num">${rate(f)}</td></tr>`;
})}
</table></div>
<p class="meta">The response rate is over delivered surveys only when SES reported an outcome for every sent one; otherwise over sent. Answers count on their survey's send day until its link closes, so recent days still rise.</p></section>`
    : ''
}
${valueSection(data.totals, query.from, query.to)}
${reviewSection(data.totals, query.from, query.to)}
<section><h2>Latest comments from unhappy customers</h2>
${
  data.comments.length
    ? data.comments.map(
        (c) =>
          html`<blockquote><p>${c.comment}</p><p class="meta">${c.touchpoint} · ${c.channel} · score ${c.score} · ${c.answeredAt.slice(0, 16).replace('T', ' ')} UTC · <a href="/dashboard/customers/${encodeURIComponent(c.customerId)}">customer timeline</a></p></blockquote>`,
      )
    : html`<p>No comments from unhappy customers in the last 7 days of this period.</p>`
}
</section>`;
  return layout(context, `${context.brand} customer feedback, ${query.from} to ${query.to}`, body);
}

export function answersPage(
  query: DashboardQuery,
  page: { answers: AnswerView[]; next?: string },
  context: PageContext,
): string {
  const params = queryParams(query);
  const scope = Object.entries(query.filters)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  const body = html`<p><a href="/dashboard?${params}">← Back to the dashboard</a></p>
<section><h2>Answers${scope ? `: ${scope}` : ''}, ${query.from} to ${query.to}, newest first</h2>
${
  page.answers.length
    ? html`<div class="scroll"><table><tr><th>Answered (UTC)</th><th class="num">Score</th><th>Channel</th><th>Segment</th><th>Journey step</th><th>Comment and answers</th><th>Customer</th></tr>
${page.answers.map(
  (a) =>
    html`<tr><td>${a.answeredAt.slice(0, 16).replace('T', ' ')}</td><td class="num">${a.score}</td><td>${a.channel}</td><td>${a.segment}</td><td>${a.journeyId === NONE ? a.journeyStep : `${a.journeyId} / ${a.journeyStep}`}</td><td>${a.comment ?? ''}${a.questionnaire.map((q) => html`<div class="meta">${q.question}: ${q.answer}</div>`)}</td><td><a href="/dashboard/customers/${encodeURIComponent(a.customerId)}">timeline</a></td></tr>`,
)}
</table></div>
${page.next ? html`<p><a href="/dashboard/answers?${params}&amp;before=${encodeURIComponent(page.next)}">Older answers</a></p>` : ''}`
    : html`<p>No answers in this period for these filters.</p>`
}
</section>`;
  return layout(context, 'Answers and comments', body);
}

export function customerPage(view: CustomerView, context: PageContext): string {
  const body = html`<p><a href="/dashboard">← Back to the dashboard</a></p>
<section><h2>Customer ${view.customerId}</h2>
${view.name || view.email ? html`<p>${view.name ?? ''}${view.name && view.email ? ' · ' : ''}${view.email ?? ''}</p>` : ''}
<div class="scroll"><table><tr><th>When (UTC)</th><th>What</th><th>Touchpoint</th><th>Channel</th><th>Detail</th></tr>
${view.entries.map(
  (e) =>
    html`<tr><td>${e.at.slice(0, 16).replace('T', ' ')}</td><td>${e.kind}</td><td>${e.touchpoint}</td><td>${e.channel}</td><td>${
      e.kind === 'decision'
        ? `${e.status ?? ''}${e.reason ? ` (${e.reason})` : ''}`
        : e.kind === 'answered'
          ? html`score ${e.score}${e.comment ? html`: ${e.comment}` : ''}`
          : ''
    }</td></tr>`,
)}
</table></div></section>`;
  return layout(context, 'Customer timeline', body);
}

/** Today in the rollup time zone. */
export function today(rt: WebDashboardDeps, now: Date): string {
  return dayOf(now, rt.config.timeZone);
}
