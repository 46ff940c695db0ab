/**
 * The dashboard's revenue at risk (issue 21): per touchpoint with a value setting, over the chosen
 * period, what the answered interactions were worth and how much of it sits with unhappy and with
 * happy customers, beside the answers whose value is not known.
 */
import type { ReportRow } from '../contracts/report.js';
import { html, type SafeHtml } from '../domain/html.js';
import { LOW_N } from '../domain/scoring.js';
import { formatMoney, unknownValues, VALUE_GROUP_WORDS } from '../domain/value.js';

export function valueSection(totals: ReportRow[], from: string, to: string): SafeHtml | string {
  const rows = totals.filter((row) => row.valueCurrency && row.metric);
  if (!rows.length) return '';
  const money = (row: ReportRow, amount: number | null) =>
    amount === null ? '–' : formatMoney(amount, row.valueCurrency!);
  const share = (percent: number | null) => (percent === null ? '' : ` (${percent.toFixed(1)} %)`);
  return html`<section><h2>Revenue at risk, answers ${from} to ${to}</h2>
<div class="scroll"><table><tr><th>Touchpoint</th><th class="num">Answered value</th><th class="num">At risk: unhappy customers</th><th class="num">Happy customers</th><th class="num">Answers with a value</th><th class="num">Value not known</th></tr>
${rows.map((row) => {
  const words = VALUE_GROUP_WORDS[row.metric!];
  return html`<tr><td>${row.touchpoint}</td><td class="num">${money(row, row.valueAnswered)}</td><td class="num">${money(row, row.valueUnhappy)}${share(row.valueUnhappyShare)}<br><span class="meta">${words.unhappy}</span></td><td class="num">${money(row, row.valueHappy)}${share(row.valueHappyShare)}<br><span class="meta">${words.happy}</span></td><td class="num">${row.valueAnswers}${row.valueAnswers < LOW_N ? html` <span class="low-n-mark">low n</span>` : ''}</td><td class="num">${unknownValues(row) || '0'}</td></tr>`;
})}
</table></div>
<p class="meta">What the interactions behind the answers were worth, as their producers sent it, summed by the day of the answer; shares are of the answered value. An answer whose interaction had no value, or one that is not a number, is counted, never guessed.</p></section>`;
}
