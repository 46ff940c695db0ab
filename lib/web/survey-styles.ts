/**
 * The survey's stylesheet, with the brand's accent: the score grid, the questions shown by score
 * group without script, legible contrast.
 */
import { DEFAULT_ACCENT, type Branding } from '../domain/branding.js';
import { scoreGroupOf } from '../domain/questionnaire.js';
import { scaleOf, scoresPerRow, SCALES, type Metric } from '../domain/metric.js';

/**
 * The scale's grid for each length: on a phone the rows of scoresPerRow (the second row starts one
 * column in, so the last score ends under the first row's last), one row from 40rem on. Every
 * target stays at least 44 px (2.75rem) in both directions at 360 px and above.
 */
export function scaleGrid(): string {
  const lengths = [...new Set(Object.values(SCALES).map(({ min, max }) => max - min + 1))];
  const narrow: string[] = [];
  const wide: string[] = [];
  for (const n of lengths) {
    const perRow = scoresPerRow(n);
    narrow.push(`.n${n}{grid-template-columns:repeat(${perRow},minmax(0,1fr))}`);
    if (perRow < n) {
      narrow.push(`.n${n} label:nth-child(${perRow + 1}){grid-column-start:${2 * perRow - n + 1}}`);
      wide.push(
        `.n${n}{grid-template-columns:repeat(${n},minmax(0,1fr))}.n${n} label:nth-child(${perRow + 1}){grid-column-start:auto}`,
      );
    }
  }
  return `${narrow.join('\n')}\n@media (min-width:40rem){${wide.join('')}}`;
}

/**
 * Questions asked of some score groups only appear once a score of such a group is chosen, by
 * CSS alone (`:has`, no script). A browser without `:has` shows them all; the server keeps only
 * the answers the chosen score's group was asked (questionnaire.ts), so either way is correct.
 */
export function askedByScore(): string {
  const rules: string[] = [];
  for (const metric of Object.keys(SCALES) as Metric[]) {
    for (const score of scaleOf(metric)) {
      rules.push(
        `form.m-${metric}:has(input[name=score][value="${score}"]:checked) .ask-${scoreGroupOf(metric, score)}{display:block}`,
      );
    }
  }
  return `@supports selector(:has(*)){.asks{display:none}\n${rules.join('\n')}}`;
}

/**
 * The one stylesheet of every page (the CSP allows styles from the app only, none inline), with
 * the brand's accent, whose contrast the config has checked.
 */
export function surveyStylesheet(branding: Branding = {}): string {
  const accent = branding.accentColor ?? DEFAULT_ACCENT;
  const onAccent = branding.accentTextColor ?? '#ffffff';
  return `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;background:#f4f4f5;color:#18181b;line-height:1.5}
main{max-width:42rem;margin:0 auto;padding:.5rem}
.card{background:#fff;border-radius:.75rem;padding:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
@media (min-width:30rem){main{padding:1.25rem}.card{padding:1.25rem}}
.brand{margin:0 0 .75rem;font-weight:700;font-size:1.0625rem}
.brand img{display:block;height:2.5rem;width:auto;max-width:12.5rem}
.about{margin:0 0 .5rem;color:#3f3f46}
h1,h2{font-size:1.1875rem;line-height:1.35;margin:0 0 .75rem}
fieldset{border:0;margin:0 0 .75rem;padding:0;min-width:0}
legend{padding:0;margin:0}
.end{margin:0;font-size:.875rem;color:#3f3f46}
.end.low{margin-bottom:.375rem}
.end.high{margin-top:.375rem;text-align:end}
.scale{display:grid;gap:.375rem}
${scaleGrid()}
.scale label{position:relative;display:block}
.scale input{position:absolute;inset:0;opacity:0;width:100%;height:100%;margin:0;cursor:pointer}
.scale span{display:flex;align-items:center;justify-content:center;min-height:3rem;border:2px solid ${accent};border-radius:.5rem;color:${accent};font-weight:700;font-size:1.0625rem}
.scale input:checked+span{background:${accent};border-color:${accent};color:${onAccent}}
.scale input:focus-visible+span{outline:3px solid #f59e0b;outline-offset:2px}
label.comment{display:block;font-weight:600;margin:.75rem 0 .375rem}
textarea{display:block;width:100%;min-height:4.5rem;padding:.5rem;border:2px solid #71717a;border-radius:.5rem;font:inherit}
textarea:focus-visible,button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.follow-up{display:flex;gap:.625rem;align-items:center;min-height:2.75rem;margin-top:.5rem}
.follow-up input{flex:none;width:1.375rem;height:1.375rem;margin:0}
.send{position:sticky;bottom:0;background:#fff;margin-top:.75rem;padding:.5rem 0 .75rem;border-top:1px solid #e4e4e7}
.saved{margin:0 0 .5rem;font-size:.9375rem;color:#3f3f46}
button{width:100%;min-height:3rem;padding:.75rem;border:0;border-radius:.5rem;background:${accent};color:${onAccent};font:inherit;font-weight:600;font-size:1.0625rem;cursor:pointer}
.answered{border-inline-start:4px solid ${accent};padding:.25rem 0 .25rem .875rem;margin:0 0 1.25rem}
.answered h1{margin-bottom:.5rem}
.answered p{margin:0 0 .25rem}
.answered blockquote{margin:0 0 .5rem;white-space:pre-wrap;overflow-wrap:anywhere;color:#27272a}
.label{font-weight:600;font-size:.875rem;color:#3f3f46}
.q{margin:1rem 0 .75rem}
.q h2{font-size:1.0625rem;margin:0 0 .375rem}
.hint{margin:0 0 .375rem;font-size:.875rem;color:#3f3f46}
.option{display:flex;gap:.625rem;align-items:center;min-height:2.75rem}
.option input{flex:none;width:1.375rem;height:1.375rem;margin:0;accent-color:${accent}}
.option input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
${askedByScore()}
.error{color:#b91c1c;font-weight:600}
.review{margin-top:1.25rem;padding-top:1rem;border-top:1px solid #e4e4e7}
.review-link{display:flex;align-items:center;justify-content:center;min-height:3rem;padding:.75rem;border:2px solid ${accent};border-radius:.5rem;color:${accent};font-weight:600;text-decoration:none}
.review-link:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
`;
}

/** The default stylesheet (no branding), as the local server served it before branding existed. */
export const STYLESHEET = surveyStylesheet();
