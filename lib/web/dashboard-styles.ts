/** The dashboard's stylesheet: one file, no framework, served from the dashboard's own route. */
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
td.num,th.num{text-align:right}.significant{font-weight:700}.low-n-mark{color:#b45309;font-size:.8125rem}.gap-mark{color:#b91c1c;font-size:.8125rem;font-weight:600}
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
