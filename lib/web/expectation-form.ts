/**
 * The dashboard's perception gap: each owner's expected score beside the rolling 7 days (flagged
 * when it lies outside their interval), and the forms that record it.
 */
import type { ReportRow } from '../contracts/report.js';
import { scoreUnitOf } from '../domain/metric.js';
import { html } from '../domain/html.js';
import { describeGap, perceptionGap } from '../domain/perception-gap.js';

/** The "Owner expected" cell of a touchpoint's row in the Now table. */
export function expectedCell(expected: number | undefined, month: string, row: ReportRow) {
  if (expected === undefined) return html`–`;
  const gap = perceptionGap(month, expected, {
    score: row.rolling7Score,
    ciLow: row.rolling7CiLow,
    ciHigh: row.rolling7CiHigh,
    n: row.rolling7N,
  });
  return html`<span title="${describeGap(gap, scoreUnitOf(row.metric))}">${expected}</span>${gap.outside ? html` <span class="gap-mark">outside the interval</span>` : ''}`;
}

/** One small form per touchpoint the user sees: their expected score for `month`. */
export function expectationForms(
  touchpoints: string[],
  expectations: Map<string, number>,
  month: string | undefined,
  page: { csrf: string; query: string },
) {
  if (!touchpoints.length) return html``;
  // A month that has ended takes no expectation: it would be set after reading its results.
  if (!month) {
    return html`<p class="meta" id="expectations">Expected scores are recorded from a view that ends this month.</p>`;
  }
  return html`<details id="expectations"><summary>Expected scores for ${month} (the perception gap)</summary>
<p class="meta">What you expect customers to give each touchpoint this month, in its metric's units. The Now table sets it against the rolling 7 days and flags it when it lies outside their 95 % interval.</p>
${touchpoints.map(
  (touchpoint) =>
    html`<form method="post" action="/dashboard/expectations" class="expectation"><input type="hidden" name="csrf" value="${page.csrf}"><input type="hidden" name="touchpoint" value="${touchpoint}"><input type="hidden" name="month" value="${month}"><input type="hidden" name="back" value="${page.query}"><label>${touchpoint} <input name="score" inputmode="decimal" size="6" value="${expectations.get(touchpoint) ?? ''}"></label> <button type="submit">Save</button></form>`,
)}
</details>`;
}
