/**
 * The CX dashboard's data and pages: per touchpoint, the rolling 7 days with its 95 % interval as
 * [low, high] against the target; the daily score with its error band (low-n days hollow), the
 * rolling 7 days and the target; the response-rate trend; the response funnel with its basis; the
 * latest comments of unhappy customers; drill-down from a touchpoint and day to its answers and
 * comments, and from an answer to the customer's timeline. Filters and the period are GET
 * parameters (shareable URLs); server-rendered HTML and SVG: no script, nothing from a CDN,
 * escaped throughout. What a user sees is limited to the touchpoints their role shows them.
 */
import type { DashboardUser } from '../auth/roles.js';
import { maySee } from '../auth/roles.js';
import type { Program } from '../config/schema.js';
import { NONE, TOTAL, type ReportRow } from '../contracts/report.js';
import { DEFAULT_FOLLOW_UP_THRESHOLD } from '../contracts/survey-events.js';
import { formatInterval, formatRate } from '../domain/display.js';
import { groupName, labelsOf } from '../domain/drivers.js';
import { SCORE_GROUPS, type QuestionAnswers } from '../domain/questionnaire.js';
import { LOW_N } from '../domain/scoring.js';
import { html, type SafeHtml } from '../domain/html.js';
import { addDays, dayBounds, DAY_PATTERN, dayOf } from '../domain/time.js';
import type { Runtime } from '../runtime.js';
import type { InvitationDayRow } from '../store/invitations.js';
import { buildReport, type Dimension } from '../usecases/report.js';
import { customerTimeline, type TimelineEntry } from '../usecases/timeline.js';

const METRIC_NAMES = {
  nps: 'NPS',
  csat: 'CSAT (% satisfied)',
  ces: 'CES (% agree it was easy)',
} as const;

/** Preset periods, ending today. */
export const RANGES = { '7d': 7, '28d': 28, '90d': 90 } as const;
export type RangeName = keyof typeof RANGES | 'custom';
const DEFAULT_RANGE = '28d';
/** The longest period one page shows. */
export const MAX_RANGE_DAYS = 366;

/** The filters, as GET parameters, and the cell dimension each one selects. */
export const FILTERS = {
  touchpoint: 'touchpoint',
  channel: 'channel',
  segment: 'segment',
  journey: 'journeyId',
  step: 'journeyStep',
} as const satisfies Record<string, Dimension>;
export type FilterName = keyof typeof FILTERS;
export type Filters = Partial<Record<FilterName, string>>;

export interface DashboardQuery {
  range: RangeName;
  from: string;
  to: string;
  filters: Filters;
}

/** A query the dashboard cannot answer: shown to the user with what is wrong. */
export class InvalidQueryError extends Error {
  override name = 'InvalidQueryError';
}

const TOKEN = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** The period and filters from a URL's parameters; `today` is in the rollup time zone. */
export function parseDashboardQuery(params: URLSearchParams, today: string): DashboardQuery {
  const filters: Filters = {};
  for (const name of Object.keys(FILTERS) as FilterName[]) {
    const value = params.get(name);
    if (!value) continue;
    if (!TOKEN.test(value) && value !== NONE) {
      throw new InvalidQueryError(`${name}: "${value.slice(0, 64)}" is not a ${name} name`);
    }
    filters[name] = value;
  }
  const range = params.get('range') ?? (params.get('from') ? 'custom' : DEFAULT_RANGE);
  if (range === 'custom') {
    const from = params.get('from') ?? '';
    const to = params.get('to') ?? today;
    for (const [name, day] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (!DAY_PATTERN.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
        throw new InvalidQueryError(
          `${name}: expected a date as YYYY-MM-DD, got "${day.slice(0, 20)}"`,
        );
      }
    }
    if (from > to) throw new InvalidQueryError(`from (${from}) is after to (${to})`);
    if (addDays(from, MAX_RANGE_DAYS) <= to) {
      throw new InvalidQueryError(`a period of at most ${MAX_RANGE_DAYS} days, please`);
    }
    return { range, from, to, filters };
  }
  if (!Object.hasOwn(RANGES, range)) {
    throw new InvalidQueryError(
      `range: expected one of 7d, 28d, 90d or custom, got "${range.slice(0, 20)}"`,
    );
  }
  const days = RANGES[range as keyof typeof RANGES];
  return { range: range as RangeName, from: addDays(today, -(days - 1)), to: today, filters };
}

/** The query as URL parameters (for links that keep the period and filters). */
export function queryParams(query: DashboardQuery, changes: Partial<Filters> = {}): string {
  const params = new URLSearchParams();
  if (query.range === 'custom') {
    params.set('from', query.from);
    params.set('to', query.to);
  } else params.set('range', query.range);
  for (const [name, value] of Object.entries({ ...query.filters, ...changes })) {
    if (value) params.set(name, value);
  }
  return params.toString();
}

function whereOf(filters: Filters): Partial<Record<Dimension, string>> {
  return Object.fromEntries(
    Object.entries(filters).map(([name, value]) => [FILTERS[name as FilterName], value]),
  );
}

export interface UnhappyComment {
  answeredAt: string;
  touchpoint: string;
  channel: string;
  score: number;
  comment: string;
  customerId: string;
}

export interface DashboardData {
  query: DashboardQuery;
  /** Day rows per touchpoint. */
  rows: ReportRow[];
  /** Per touchpoint, its totals over the period (the funnel). */
  totals: ReportRow[];
  /** The values each filter can take in the period (what the user may see). */
  choices: Record<FilterName, string[]>;
  comments: UnhappyComment[];
  /** A touchpoint's program (its questions' texts), when it still has one. */
  programOf: (touchpoint: string) => Program | undefined;
}

/** Days of rollups read before the period, for the rolling 28 days and the week before. */
const LOOKBACK_DAYS = 27;

export async function dashboardData(
  rt: Runtime,
  query: DashboardQuery,
  visible: Set<string> | 'all',
): Promise<DashboardData> {
  const { from, to, filters } = query;
  // The rows and the comments are independent reads: side by side.
  const [all, comments] = await Promise.all([
    rt.rollups.range(addDays(from, -LOOKBACK_DAYS), to),
    unhappyComments(rt, query, visible, 10),
  ]);
  const stored = all.filter((row) => maySee(visible, row.touchpoint));
  const choices = Object.fromEntries(
    (Object.entries(FILTERS) as [FilterName, Dimension][]).map(([name, dimension]) => [
      name,
      [...new Set(stored.filter((row) => row.day >= from).map((row) => row[dimension]))].sort(),
    ]),
  ) as Record<FilterName, string[]>;
  const where = Object.entries(whereOf(filters)) as [Dimension, string][];
  const reported = buildReport(
    stored.filter((row) => where.every(([dimension, value]) => row[dimension] === value)),
    ['touchpoint'],
    (touchpoint) => rt.programFor(touchpoint)?.target,
    { from, to, totals: true },
    (touchpoint) => rt.programFor(touchpoint)?.questions ?? [],
  ).filter((row) => row.metric);
  return {
    programOf: (touchpoint) => rt.programFor(touchpoint),
    query,
    rows: reported.filter((row) => row.day !== TOTAL),
    totals: reported.filter((row) => row.day === TOTAL),
    choices,
    comments,
  };
}

function threshold(program: Program): number {
  return program.followUpThreshold ?? DEFAULT_FOLLOW_UP_THRESHOLD[program.metric];
}

/** Whether an answer row is in what the query and the user's role select. */
function selects(query: DashboardQuery, visible: Set<string> | 'all') {
  const where = Object.entries(whereOf(query.filters)) as [Dimension, string][];
  return (row: InvitationDayRow) =>
    maySee(visible, row.touchpoint) &&
    where.every(([dimension, value]) => (row[dimension] ?? NONE) === value);
}

/** The latest comments of unhappy customers in the last 7 days of the period. */
async function unhappyComments(
  rt: Runtime,
  query: DashboardQuery,
  visible: Set<string> | 'all',
  limit: number,
): Promise<UnhappyComment[]> {
  const from = addDays(query.to, -6) > query.from ? addDays(query.to, -6) : query.from;
  const selected = selects(query, visible);
  const { rows } = await rt.invitations.answersNewestFirst(
    dayBounds(from, rt.config.timeZone).start,
    dayBounds(query.to, rt.config.timeZone).end,
    (row) => {
      const program = rt.programFor(row.touchpoint);
      return (
        selected(row) && !!program && row.score !== undefined && row.score <= threshold(program)
      );
    },
    limit * 3,
  );
  const comments: UnhappyComment[] = [];
  for (const answer of await withComments(rt, rows)) {
    if (comments.length >= limit) break;
    if (answer.comment) comments.push({ ...answer, comment: answer.comment });
  }
  return comments;
}

export interface AnswerView {
  invitationId: string;
  answeredAt: string;
  touchpoint: string;
  channel: string;
  segment: string;
  journeyId: string;
  journeyStep: string;
  score: number;
  comment?: string;
  /** The questionnaire's answers as a CX lead reads them (texts included), in the program's order. */
  questionnaire: { question: string; answer: string }[];
  customerId: string;
}

/** A survey's questionnaire answers in words: option labels, a rating out of 5, the texts. */
export function questionnaireInWords(
  program: Program | undefined,
  answers: QuestionAnswers | undefined,
): { question: string; answer: string }[] {
  if (!program || !answers) return [];
  const labels = labelsOf(program);
  return program.questions
    .filter((question) => Object.hasOwn(answers, question.id))
    .map((question) => {
      const answer = answers[question.id]!;
      const words =
        question.type === 'rating'
          ? `${String(answer)} of 5`
          : question.type === 'text'
            ? String(answer)
            : (Array.isArray(answer) ? answer : [String(answer)])
                .map((option) => labels.option(question.id, option))
                .join(', ');
      return { question: labels.question(question.id), answer: words };
    });
}

/** The answers' comments and customers, read from the invitations (eventually consistent). */
async function withComments(rt: Runtime, rows: InvitationDayRow[]): Promise<AnswerView[]> {
  const invitations = await Promise.all(
    rows.map((row) => rt.invitations.get(row.invitationId, { consistent: false })),
  );
  return invitations.flatMap((invitation) =>
    invitation?.answeredAt && invitation.score !== undefined
      ? [
          {
            invitationId: invitation.invitationId,
            answeredAt: invitation.answeredAt,
            touchpoint: invitation.touchpoint,
            channel: invitation.channel,
            segment: invitation.segment ?? NONE,
            journeyId: invitation.journeyId ?? NONE,
            journeyStep: invitation.journeyStep ?? NONE,
            score: invitation.score,
            ...(invitation.comment ? { comment: invitation.comment } : {}),
            questionnaire: questionnaireInWords(
              rt.programFor(invitation.touchpoint),
              invitation.answers,
            ),
            customerId: invitation.customerId,
          },
        ]
      : [],
  );
}

export const ANSWERS_PAGE_SIZE = 50;

/** A page of the answers a query selects, newest first, with their comments. */
export async function answersData(
  rt: Runtime,
  query: DashboardQuery,
  visible: Set<string> | 'all',
  before?: string,
): Promise<{ answers: AnswerView[]; next?: string }> {
  const { rows, next } = await rt.invitations.answersNewestFirst(
    dayBounds(query.from, rt.config.timeZone).start,
    dayBounds(query.to, rt.config.timeZone).end,
    selects(query, visible),
    ANSWERS_PAGE_SIZE,
    before,
  );
  return { answers: await withComments(rt, rows), ...(next ? { next } : {}) };
}

export interface CustomerView {
  customerId: string;
  /** From the latest invitation: shown to signed-in users who may see this customer. */
  email?: string;
  name?: string;
  entries: TimelineEntry[];
}

/** A customer's timeline, limited to what the user may see; undefined when that is nothing. */
export async function customerData(
  rt: Runtime,
  customerId: string,
  visible: Set<string> | 'all',
): Promise<CustomerView | undefined> {
  const [latest] = await rt.invitations.ofCustomer(customerId, 1);
  const entries = (await customerTimeline(rt, customerId, { limit: 50 })).filter((entry) =>
    maySee(visible, entry.touchpoint),
  );
  if (!entries.length || !latest) return undefined;
  return {
    customerId,
    ...(latest.email ? { email: latest.email } : {}),
    ...(latest.name ? { name: latest.name } : {}),
    entries,
  };
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 40, right: 12, top: 12, bottom: 28 };

function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** A line chart over the period's days, on a fixed scale, with grid lines. */
function chartFrame(from: string, to: string, low: number, high: number) {
  const days = daysOf(from, to);
  const x = (day: string) =>
    PAD.left + (days.indexOf(day) / Math.max(1, days.length - 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (value: number) =>
    PAD.top + ((high - value) / (high - low)) * (HEIGHT - PAD.top - PAD.bottom);
  const point = (day: string, value: number) => `${x(day).toFixed(1)},${y(value).toFixed(1)}`;
  const grid = (values: number[], suffix = '') =>
    html`${values.map(
      (v) =>
        html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end" class="axis">${v}${suffix}</text>`,
    )}<text x="${PAD.left}" y="${HEIGHT - 8}" class="axis">${from}</text><text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end" class="axis">${to}</text>`;
  return { x, y, point, grid };
}

/** A trend chart: the error band, the daily score, the rolling 7 days, the target. */
function trendChart(rows: ReportRow[], from: string, to: string, title: string): SafeHtml {
  const metric = rows[0]!.metric!;
  const [low, high] = metric === 'nps' ? [-100, 100] : [0, 100];
  const { x, y, point, grid } = chartFrame(from, to, low, high);
  const scored = rows.filter((row) => row.score !== null);
  const band = scored.length
    ? [
        ...scored.map((r) => point(r.day, r.ciHigh!)),
        ...[...scored].reverse().map((r) => point(r.day, r.ciLow!)),
      ].join(' ')
    : '';
  const line = scored.map((r) => point(r.day, r.score!)).join(' ');
  const rolling = rows
    .filter((r) => r.rolling7Score !== null)
    .map((r) => point(r.day, r.rolling7Score!))
    .join(' ');
  const target = rows[0]!.target;
  return html`<figure>
<figcaption>${title}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}: daily score with its 95 % interval, rolling 7 days and target">
${grid(metric === 'nps' ? [-100, -50, 0, 50, 100] : [0, 25, 50, 75, 100])}
${band ? html`<polygon points="${band}" class="band"/>` : ''}
${target !== null ? html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(target)}" y2="${y(target)}" class="target"/>` : ''}
${rolling ? html`<polyline points="${rolling}" class="rolling"/>` : ''}
${line ? html`<polyline points="${line}" class="score"/>` : ''}
${scored.map((r) => html`<circle cx="${x(r.day)}" cy="${y(r.score!)}" r="3" class="${r.lowN ? 'dot low-n' : 'dot'}"><title>${r.day}: ${r.score!.toFixed(1)} ${formatInterval(r.ciLow, r.ciHigh)}, n = ${r.n}${r.lowN ? ' (low n)' : ''}</title></circle>`)}
</svg>
<p class="legend"><span class="key band-key"></span>95 % interval <span class="key score-key"></span>daily (hollow: low n, fewer than 30 answers) <span class="key rolling-key"></span>rolling 7 days${target !== null ? html` <span class="key target-key"></span>target ${target}` : ''}</p>
</figure>`;
}

/** The response rate day by day (answered of sent, or of delivered where every outcome is known). */
function responseRateChart(rows: ReportRow[], from: string, to: string, title: string): SafeHtml {
  const { x, y, point, grid } = chartFrame(from, to, 0, 100);
  const rated = rows.filter((row) => row.responseRate !== null);
  const line = rated.map((r) => point(r.day, r.responseRate! * 100)).join(' ');
  return html`<figure>
<figcaption>${title}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}">
${grid([0, 25, 50, 75, 100], ' %')}
${line ? html`<polyline points="${line}" class="rate"/>` : ''}
${rated.map((r) => html`<circle cx="${x(r.day)}" cy="${y(r.responseRate! * 100)}" r="3" class="rate-dot"><title>${r.day}: ${formatRate(r.responseRate!)} of ${r.responseRateBasis} (${r.answered} of ${r.responseRateBasis === 'sent' ? r.sent : r.delivered})</title></circle>`)}
</svg>
</figure>`;
}

export const DASHBOARD_STYLES = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;background:#f4f4f5;color:#18181b;line-height:1.45}
main{max-width:72rem;margin:0 auto;padding:1rem}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;margin-bottom:.75rem}
h1{font-size:1.375rem;margin:0}
.who{font-size:.875rem;color:#3f3f46}.who form{display:inline}
section{background:#fff;border-radius:.75rem;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:1.125rem;margin:0 0 .5rem}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.25rem}
svg{width:100%;height:auto;max-width:48rem;display:block}
.grid{stroke:#e4e4e7}.axis{font-size:11px;fill:#52525b}
.band{fill:#bfdbfe;stroke:none}.score{fill:none;stroke:#1d4ed8;stroke-width:2}.dot{fill:#1d4ed8}.dot.low-n{fill:#fff;stroke:#1d4ed8;stroke-width:1.5}
.rolling{fill:none;stroke:#b45309;stroke-width:2;stroke-dasharray:6 4}.target{stroke:#15803d;stroke-width:1.5;stroke-dasharray:2 3}
.rate{fill:none;stroke:#7c3aed;stroke-width:2}.rate-dot{fill:#7c3aed}
.legend{font-size:.875rem;color:#3f3f46}.key{display:inline-block;width:1rem;height:.5rem;margin:0 .25rem 0 .75rem;vertical-align:middle}
.band-key{background:#bfdbfe}.score-key{background:#1d4ed8}.rolling-key{background:#b45309}.target-key{background:#15803d}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9375rem}th,td{text-align:left;padding:.375rem .5rem;border-bottom:1px solid #e4e4e7;vertical-align:top}
td.num,th.num{text-align:right}.significant{font-weight:700}.low-n-mark{color:#b45309;font-size:.8125rem}
.on-target{color:#166534;font-weight:600}.below-target{color:#b91c1c;font-weight:600}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem .75rem;align-items:flex-end}
form.filters label{display:flex;flex-direction:column;font-size:.8125rem;font-weight:600;min-width:8rem;flex:1 1 8rem}
select,input[type=date]{font:inherit;font-weight:400;padding:.5rem;border:1px solid #71717a;border-radius:.375rem;min-height:2.75rem;background:#fff}
button,.button{font:inherit;font-weight:600;padding:.5rem 1rem;min-height:2.75rem;border:0;border-radius:.375rem;background:#1d4ed8;color:#fff;cursor:pointer;text-decoration:none;display:inline-flex;align-items:center}
.link-button{background:none;color:#1d4ed8;padding:0;min-height:0;text-decoration:underline;font-weight:400}
a{color:#1d4ed8}a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.presets a{margin-right:.75rem}.presets a[aria-current]{font-weight:700;color:#18181b}
.exports a{margin-right:1rem}
blockquote{margin:.5rem 0;padding:.5rem .75rem;border-left:4px solid #b91c1c;background:#fef2f2;overflow-wrap:anywhere}
.meta{font-size:.8125rem;color:#52525b}
.error{color:#b91c1c;font-weight:600}
.case-form{margin:.75rem 0}.case-form label{display:block;margin:.5rem 0 .25rem}.case-form textarea,.case-form select{width:100%;max-width:32rem;box-sizing:border-box;font:inherit}
`;

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
  const unit = (row: ReportRow) => (row.metric === 'nps' ? '' : ' %');
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
  const body = html`${filterForm(data, '/dashboard')}
<section><h2>Now: the last 7 days to ${query.to}</h2>
${
  touchpoints.length
    ? html`<div class="scroll"><table><tr><th>Touchpoint</th><th class="num">Rolling 7 days</th><th class="num">95 % interval</th><th class="num">n</th><th class="num">vs week before</th><th class="num">Target</th></tr>
${touchpoints.map((touchpoint) => {
  const row = latest(touchpoint)!;
  return html`<tr><td><a href="#${touchpoint}">${touchpoint}</a> · ${METRIC_NAMES[row.metric!]}</td><td class="num">${row.rolling7Score === null ? '–' : `${row.rolling7Score.toFixed(1)}${unit(row)}`}${againstTarget(row)}</td><td class="num">${formatInterval(row.rolling7CiLow, row.rolling7CiHigh)}</td><td class="num">${row.rolling7N}${row.rolling7LowN ? html` <span class="low-n-mark">low n</span>` : ''}</td><td class="num${row.weekOverWeekSignificant ? ' significant' : ''}">${change(row)}</td><td class="num">${row.target ?? '–'}</td></tr>`;
})}
</table></div>
<p class="meta">95 % intervals as [low, high]: NPS adjusted Wald, CSAT and CES Wilson. Low n: fewer than 30 answers; a change is then never called significant.</p>`
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
export function today(rt: Runtime, now: Date): string {
  return dayOf(now, rt.config.timeZone);
}
