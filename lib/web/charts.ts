/** The dashboard's charts: server-rendered SVG, no script. */
import type { ReportRow } from '../contracts/report.js';
import { scoreRangeOf } from '../domain/metric.js';
import { formatInterval, formatRate } from '../domain/display.js';
import { html, type SafeHtml } from '../domain/html.js';
import { addDays } from '../domain/time.js';

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
export function trendChart(rows: ReportRow[], from: string, to: string, title: string): SafeHtml {
  const metric = rows[0]!.metric!;
  const [low, high] = scoreRangeOf(metric);
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
export function responseRateChart(
  rows: ReportRow[],
  from: string,
  to: string,
  title: string,
): SafeHtml {
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
