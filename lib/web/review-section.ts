/**
 * The dashboard's review programme (issue 21): per touchpoint over the chosen period, how many
 * happy answers were invited to review on their thank-you page, and how many followed.
 */
import type { ReportRow } from '../contracts/report.js';
import { formatRate } from '../domain/display.js';
import { html, type SafeHtml } from '../domain/html.js';
import { LOW_N } from '../domain/scoring.js';

export function reviewSection(totals: ReportRow[], from: string, to: string): SafeHtml | string {
  const rows = totals.filter((row) => row.reviewOffered > 0);
  if (!rows.length) return '';
  return html`<section><h2>Invited to review, answers ${from} to ${to}</h2>
<div class="scroll"><table><tr><th>Touchpoint</th><th class="num">Invited</th><th class="num">Followed</th><th class="num">Click rate</th></tr>
${rows.map(
  (row) =>
    html`<tr><td>${row.touchpoint}</td><td class="num">${row.reviewOffered}${row.reviewOffered < LOW_N ? html` <span class="low-n-mark">low n</span>` : ''}</td><td class="num">${row.reviewClicked}</td><td class="num">${row.reviewClickRate === null ? '–' : formatRate(row.reviewClickRate)}</td></tr>`,
)}
</table></div>
<p class="meta">Happy customers (NPS promoters, satisfied, easy) whose thank-you page invited them to review the experience publicly, and those who followed the link; counted by the day of the answer.</p></section>`;
}
