/**
 * The CX lead's dashboard (local web app): per touchpoint, the rolling 7 days with its 95 %
 * interval as [low, high]; the daily score with its error band (low-n days hollow), the rolling 7
 * days and the target; the response funnel over the period with its basis; the latest comments of
 * unhappy customers. Server-rendered SVG: no script, nothing from a CDN, escaped throughout.
 */
import type { Hono } from 'hono';
import type { Program } from '../config/schema.js';
import { TOTAL, type ReportRow } from '../contracts/report.js';
import { DEFAULT_FOLLOW_UP_THRESHOLD } from '../contracts/survey-events.js';
import { formatInterval, formatRate } from '../domain/display.js';
import { html, type SafeHtml } from '../domain/html.js';
import { addDays, dayBounds, dayOf } from '../domain/time.js';
import type { Runtime } from '../runtime.js';
import { report } from '../usecases/report.js';

const METRIC_NAMES = {
  nps: 'NPS',
  csat: 'CSAT (% satisfied)',
  ces: 'CES (% agree it was easy)',
} as const;

export interface UnhappyComment {
  answeredAt: string;
  touchpoint: string;
  channel: string;
  score: number;
  comment: string;
}

export interface DashboardData {
  from: string;
  to: string;
  /** Day rows per touchpoint. */
  rows: ReportRow[];
  /** Per touchpoint, its totals over the period (the funnel). */
  totals: ReportRow[];
  comments: UnhappyComment[];
}

export async function dashboardData(rt: Runtime, now: Date, days = 28): Promise<DashboardData> {
  const to = dayOf(now, rt.config.timeZone);
  const from = addDays(to, -(days - 1));
  const reported = (await report(rt, { from, to, by: ['touchpoint'], totals: true })).filter(
    (row) => row.metric,
  );
  return {
    from,
    to,
    rows: reported.filter((row) => row.day !== TOTAL),
    totals: reported.filter((row) => row.day === TOTAL),
    comments: await unhappyComments(rt, addDays(to, -6), to, 10),
  };
}

/** The latest comments of customers who scored at or below their program's follow-up threshold. */
async function unhappyComments(
  rt: Runtime,
  from: string,
  to: string,
  limit: number,
): Promise<UnhappyComment[]> {
  const start = dayBounds(from, rt.config.timeZone).start;
  const end = dayBounds(to, rt.config.timeZone).end;
  const unhappy: { invitationId: string; answeredAt: string }[] = [];
  await rt.invitations.forEachPage('answers', start, end, (page) => {
    for (const row of page) {
      const program = rt.programFor(row.touchpoint);
      if (!program || row.score === undefined || !row.answeredAt) continue;
      if (row.score <= threshold(program))
        unhappy.push({ invitationId: row.invitationId, answeredAt: row.answeredAt });
    }
  });
  unhappy.sort((a, b) => (a.answeredAt < b.answeredAt ? 1 : -1));
  const comments: UnhappyComment[] = [];
  for (const { invitationId } of unhappy) {
    if (comments.length >= limit) break;
    const invitation = await rt.invitations.get(invitationId);
    if (!invitation?.comment || invitation.score === undefined || !invitation.answeredAt) continue;
    comments.push({
      answeredAt: invitation.answeredAt,
      touchpoint: invitation.touchpoint,
      channel: invitation.channel,
      score: invitation.score,
      comment: invitation.comment,
    });
  }
  return comments;
}

function threshold(program: Program): number {
  return program.followUpThreshold ?? DEFAULT_FOLLOW_UP_THRESHOLD[program.metric];
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 40, right: 12, top: 12, bottom: 28 };

/** A trend chart: the error band, the daily score, the rolling 7 days, the target. */
function trendChart(rows: ReportRow[], from: string, to: string, title: string): SafeHtml {
  const metric = rows[0]!.metric!;
  const [low, high] = metric === 'nps' ? [-100, 100] : [0, 100];
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  const x = (day: string) =>
    PAD.left + (days.indexOf(day) / Math.max(1, days.length - 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (value: number) =>
    PAD.top + ((high - value) / (high - low)) * (HEIGHT - PAD.top - PAD.bottom);
  const scored = rows.filter((row) => row.score !== null);
  const point = (day: string, value: number) => `${x(day).toFixed(1)},${y(value).toFixed(1)}`;
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
  const gridValues = metric === 'nps' ? [-100, -50, 0, 50, 100] : [0, 25, 50, 75, 100];
  return html`<figure>
<figcaption>${title}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}: daily score with its 95 % interval, rolling 7 days and target">
${gridValues.map(
  (v) =>
    html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end" class="axis">${v}</text>`,
)}
<text x="${PAD.left}" y="${HEIGHT - 8}" class="axis">${from}</text><text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end" class="axis">${to}</text>
${band ? html`<polygon points="${band}" class="band"/>` : ''}
${target !== null ? html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(target)}" y2="${y(target)}" class="target"/>` : ''}
${rolling ? html`<polyline points="${rolling}" class="rolling"/>` : ''}
${line ? html`<polyline points="${line}" class="score"/>` : ''}
${scored.map((r) => html`<circle cx="${x(r.day)}" cy="${y(r.score!)}" r="3" class="${r.lowN ? 'dot low-n' : 'dot'}"><title>${r.day}: ${r.score!.toFixed(1)} ${formatInterval(r.ciLow, r.ciHigh)}, n = ${r.n}${r.lowN ? ' (low n)' : ''}</title></circle>`)}
</svg>
<p class="legend"><span class="key band-key"></span>95 % interval <span class="key score-key"></span>daily (hollow: low n, fewer than 30 answers) <span class="key rolling-key"></span>rolling 7 days${target !== null ? html` <span class="key target-key"></span>target ${target}` : ''}</p>
</figure>`;
}

export const DASHBOARD_STYLES = `
body{margin:0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;background:#f4f4f5;color:#18181b;line-height:1.45}
main{max-width:72rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.5rem;margin:0 0 1rem}
section{background:#fff;border-radius:.75rem;padding:1rem 1.25rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:1.125rem;margin:0 0 .5rem}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.25rem}
svg{width:100%;height:auto;max-width:48rem;display:block}
.grid{stroke:#e4e4e7}.axis{font-size:11px;fill:#52525b}
.band{fill:#bfdbfe;stroke:none}.score{fill:none;stroke:#1d4ed8;stroke-width:2}.dot{fill:#1d4ed8}.dot.low-n{fill:#fff;stroke:#1d4ed8;stroke-width:1.5}
.rolling{fill:none;stroke:#b45309;stroke-width:2;stroke-dasharray:6 4}.target{stroke:#15803d;stroke-width:1.5;stroke-dasharray:2 3}
.legend{font-size:.875rem;color:#3f3f46}.key{display:inline-block;width:1rem;height:.5rem;margin:0 .25rem 0 .75rem;vertical-align:middle}
.band-key{background:#bfdbfe}.score-key{background:#1d4ed8}.rolling-key{background:#b45309}.target-key{background:#15803d}
table{border-collapse:collapse;width:100%;font-size:.9375rem}th,td{text-align:left;padding:.375rem .5rem;border-bottom:1px solid #e4e4e7}
td.num,th.num{text-align:right}.significant{font-weight:700}.low-n-mark{color:#b45309;font-size:.8125rem}
blockquote{margin:.5rem 0;padding:.5rem .75rem;border-left:4px solid #b91c1c;background:#fef2f2}
.meta{font-size:.8125rem;color:#52525b}
`;

export function dashboardPage(data: DashboardData, brand: string): string {
  const touchpoints = [...new Set(data.rows.map((row) => row.touchpoint))].sort();
  const latest = (touchpoint: string) =>
    data.rows.filter((r) => r.touchpoint === touchpoint).at(-1);
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
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${brand} customer feedback</title>
<link rel="stylesheet" href="/assets/dashboard.css"></head>
<body><main>
<h1>${brand} customer feedback, ${data.from} to ${data.to}</h1>
<section><h2>Now</h2>
<table><tr><th>Touchpoint</th><th class="num">Rolling 7 days</th><th class="num">95 % interval</th><th class="num">n</th><th class="num">vs week before</th><th class="num">Target</th></tr>
${touchpoints.map((touchpoint) => {
  const row = latest(touchpoint)!;
  return html`<tr><td>${touchpoint} · ${METRIC_NAMES[row.metric!]}</td><td class="num">${row.rolling7Score === null ? '–' : `${row.rolling7Score.toFixed(1)}${unit(row)}`}</td><td class="num">${formatInterval(row.rolling7CiLow, row.rolling7CiHigh)}</td><td class="num">${row.rolling7N}${row.rolling7LowN ? html` <span class="low-n-mark">low n</span>` : ''}</td><td class="num${row.weekOverWeekSignificant ? ' significant' : ''}">${change(row)}</td><td class="num">${row.target ?? '–'}</td></tr>`;
})}
</table>
<p class="meta">95 % intervals as [low, high]: NPS adjusted Wald, CSAT and CES Wilson. Low n: fewer than 30 answers; a change is then never called significant.</p></section>
${touchpoints.map(
  (touchpoint) =>
    html`<section>${trendChart(
      data.rows.filter((r) => r.touchpoint === touchpoint),
      data.from,
      data.to,
      `${touchpoint} · ${METRIC_NAMES[latest(touchpoint)!.metric!]}`,
    )}</section>`,
)}
<section><h2>Response funnel, surveys sent ${data.from} to ${data.to}</h2>
<table><tr><th>Touchpoint</th><th class="num">Invited</th><th class="num">Skipped</th><th class="num">Sent</th><th class="num">Delivered</th><th class="num">Bounced</th><th class="num">Complained</th><th class="num">Failed</th><th class="num">Unknown</th><th class="num">Expired</th><th class="num">Answered</th><th class="num">Response rate</th></tr>
${touchpoints.map((touchpoint) => {
  const f = totalOf(touchpoint);
  if (!f) return '';
  return html`<tr><td>${touchpoint}</td><td class="num">${f.invited}</td><td class="num" title="${skippedByReason(f)}">${f.skipped}${f.skipped ? html`<br><span class="meta">${skippedByReason(f)}</span>` : ''}</td><td class="num">${f.sent}</td><td class="num">${f.delivered}</td><td class="num">${f.bounced}</td><td class="num">${f.complained}</td><td class="num">${f.failed}</td><td class="num">${f.unknown}</td><td class="num">${f.expired}</td><td class="num">${f.answered}</td><td class="num">${rate(f)}</td></tr>`;
})}
</table>
<p class="meta">The response rate is over delivered surveys only when SES reported an outcome for every sent one; otherwise over sent. Answers count on their survey's send day until its link closes, so recent days still rise.</p></section>
<section><h2>Latest comments from unhappy customers</h2>
${
  data.comments.length
    ? data.comments.map(
        (c) =>
          html`<blockquote><p>${c.comment}</p><p class="meta">${c.touchpoint} · ${c.channel} · score ${c.score} · ${c.answeredAt.slice(0, 16).replace('T', ' ')} UTC</p></blockquote>`,
      )
    : html`<p>No comments from unhappy customers in the last 7 days.</p>`
}
</section>
</main></body></html>`.value;
}

/**
 * Adds the dashboard to a web app. Only the local server does: the dashboard shows customers'
 * comments and the AWS stack has no sign-in to put them behind (there, CX leads use the CloudWatch
 * dashboard, the digest and the export), so its code stays out of the Lambda bundle too.
 */
export function dashboardRoutes(rt: Runtime, now: () => Date = () => new Date()) {
  return (app: Hono) => {
    app.get('/assets/dashboard.css', (c) => {
      c.header('Content-Type', 'text/css; charset=utf-8');
      return c.body(DASHBOARD_STYLES);
    });
    app.get('/dashboard', async (c) =>
      c.html(dashboardPage(await dashboardData(rt, now()), rt.config.brand)),
    );
  };
}
