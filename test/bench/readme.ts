/**
 * Renders the benchmark table from results.json into the README, between the bench markers, so
 * the README always shows the last run's figures. `npm run bench` calls it; so can
 * `npm run bench:readme` on its own.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from './results.js';
import { BUNDLE_BUDGET_KB } from '../../infra/bundling.js';

export const README_PATH = fileURLToPath(new URL('../../README.md', import.meta.url));
export const RESULTS_PATH = fileURLToPath(new URL('./results.json', import.meta.url));
const START = '<!-- bench:start (generated from test/bench/results.json by npm run bench) -->';
const END = '<!-- bench:end -->';

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const usd = (value: number) => `$${value.toFixed(4)}`;
const kb = (bytes: number) => `${n(bytes / 1024, 1)} KB`;
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

/** Issue 19's targets per answered survey: write and read units, and cost as a multiple of SES's. */
export const WRU_TARGET = 8;
export const WRU_STRETCH = 5;
export const RRU_TARGET = 2;
export const COST_TARGET = 1.06;

/** Rows of | figure | measured | floor or target | ratio | verdict |. */
export function renderTable(r: BenchResults): string {
  const rows: string[][] = [];
  const life = r.surveyLife;
  if (life) {
    const stages = Object.entries(life.perSurvey)
      .map(([stage, u]) => `${stage} ${n(u.writeUnits, 2)}/${n(u.readUnits, 2)}`)
      .join(', ');
    rows.push([
      'DynamoDB write units per answered survey, whole life',
      `**${n(life.writeUnitsPerSurvey, 2)} WRU** (WRU/RRU by stage: ${stages})`,
      `target ≤ ${WRU_TARGET} (stretch ${WRU_STRETCH})`,
      `${n(life.writeUnitsPerSurvey / WRU_TARGET, 2)}×`,
      life.writeUnitsPerSurvey <= WRU_STRETCH
        ? 'met, stretch too'
        : met(life.writeUnitsPerSurvey <= WRU_TARGET),
    ]);
    rows.push([
      'DynamoDB read units per answered survey, whole life (rollup share included)',
      `**${n(life.readUnitsPerSurvey, 2)} RRU**`,
      `target ≤ ${RRU_TARGET}`,
      `${n(life.readUnitsPerSurvey / RRU_TARGET, 2)}×`,
      met(life.readUnitsPerSurvey <= RRU_TARGET),
    ]);
  }
  const cost = r.cost;
  if (cost) {
    const services = Object.entries(cost.perThousand)
      .map(([service, value]) => `${service} ${usd(value)}`)
      .join(', ');
    rows.push([
      'cost per 1,000 answered surveys on AWS (variable)',
      `**${usd(cost.perThousandTotal)}** (${services})`,
      `SES alone ${usd(cost.floorPerThousand)}; target ≤ ${usd(cost.floorPerThousand * COST_TARGET)} (${COST_TARGET}×)`,
      `${n(cost.ratioToFloor, 3)}×`,
      met(cost.ratioToFloor <= COST_TARGET),
    ]);
    const atTargets = cost.perThousandAtUnitTargets / cost.floorPerThousand;
    rows.push([
      `cost per 1,000 with DynamoDB at the unit targets (${cost.unitTargets.writeUnits} WRU, ${cost.unitTargets.readUnits} RRU), every other service as measured`,
      `**${usd(cost.perThousandAtUnitTargets)}**`,
      `target ≤ ${usd(cost.floorPerThousand * COST_TARGET)} (${COST_TARGET}×)`,
      `${n(atTargets, 3)}×`,
      atTargets <= COST_TARGET ? 'met' : '**not met even there**',
    ]);
    rows.push([
      `fixed cost a month; per 1,000 at ${n(cost.surveysPerDay)} surveys a day`,
      `${usd(cost.fixedPerMonth)} a month; **${usd(cost.perThousandAtVolume)}** per 1,000 all in`,
      `SES alone ${usd(cost.floorPerThousand)}`,
      `${n(cost.perThousandAtVolume / cost.floorPerThousand, 3)}×`,
      'informational',
    ]);
  }
  const cold = r.coldStart;
  if (cold) {
    const bundledFloor = cold.bundledSdkFloorMs;
    for (const f of cold.functions) {
      // The floor: a process that loads only the DynamoDB SDK, which every function needs.
      const ratio = f.processMs / (cold.bareProcessMs + cold.sdkFloorMs);
      const own = `; its own code +${n(f.processMs - cold.bareProcessMs - bundledFloor)} ms over the SDK bundled alone (+${n(bundledFloor)} ms)`;
      // what the split defers to the first request, shown beside the target's figure
      const clients = f.firstRequestClients.map((c) => c.replace('client-', '')).join(', ');
      const first = clients
        ? `; with the clients its first request loads (${clients}) ${n(f.firstRequestMs)} ms, ${n(f.firstRequestMs / (cold.bareProcessMs + cold.sdkFloorMs), 2)}×`
        : '';
      rows.push([
        `cold start: ${f.name} bundle, and its process against one loading only the runtime's DynamoDB SDK (${n(cold.bareProcessMs + cold.sdkFloorMs)} ms)`,
        `${kb(f.bundleBytes)}; **${n(f.processMs)} ms** (module load +${n(f.moduleLoadMs)} ms; the SDK alone +${n(cold.sdkFloorMs)} ms${own}${first})`,
        `target < ${BUNDLE_BUDGET_KB[f.name]} KB and ≤ 1.15× the SDK's process`,
        `${n(ratio, 2)}× the SDK's process`,
        met(f.bundleBytes < BUNDLE_BUDGET_KB[f.name] * 1024 && ratio <= 1.15),
      ]);
    }
  }
  const intake = r.intakeBurst;
  if (intake) {
    rows.push([
      `intake burst: ${n(intake.events)} events through the local bus into DynamoDB Local`,
      `**${n(intake.eventsPerSecond)} events/s** end to end; ${n(intake.events - intake.decisionsWritten)} lost, ${n(intake.deadLetters)} dead letters`,
      'nothing lost',
      '',
      met(intake.events === intake.decisionsWritten && intake.deadLetters === 0),
    ]);
  }
  const send = r.dispatchRate;
  if (send) {
    rows.push([
      `dispatch: ${n(send.surveys)} due surveys through the SES emulator`,
      `**${n(send.sustainedRate, 1)} emails/s** sustained; ${n(send.retried)} retried, ${n(send.failed)} failed`,
      `configured ${send.configuredRate}/s; target ≥ 95 %`,
      `${n(send.ratioToConfigured * 100, 1)} %`,
      met(send.ratioToConfigured >= 0.95),
    ]);
  }
  const web = r.answerEndpoint;
  if (web) {
    rows.push([
      `survey page GET (${web.concurrency} clients)`,
      `**${n(web.surveyPage.requestsPerSecond)} req/s**, p99 ${n(web.surveyPage.p99Ms, 1)} ms`,
      `minimal handler ${n(web.minimal.requestsPerSecond)} req/s, p99 ${n(web.minimal.p99Ms, 1)} ms`,
      `${n(web.pageRatio, 2)}×`,
      'informational',
    ]);
    rows.push([
      `answer POST (${web.concurrency} clients, ${n(web.answerPost.requests)} first answers)`,
      `**${n(web.answerPost.requestsPerSecond)} req/s**, p99 ${n(web.answerPost.p99Ms, 1)} ms`,
      `minimal handler ${n(web.minimal.requestsPerSecond)} req/s`,
      `${n(web.postRatio, 2)}×`,
      'informational',
    ]);
  }
  const f = r.flood;
  if (f) {
    rows.push([
      `survey links under a flood: ${n(f.clients)} clients each open, answer and unsubscribe ${n(f.surveysPerClient)} surveys while one client floods bad tokens (local per-client limit)`,
      `**${n(f.flooded.successRate * 100, 2)} %** succeeded, p99 ${n(f.flooded.p99Ms, 1)} ms (unflooded ${n(f.unflooded.p99Ms, 1)} ms); the flood ${n(f.flood.requestsPerSecond)} req/s, ${n((f.flood.refused / Math.max(1, f.flood.requests)) * 100, 1)} % refused 429`,
      'target ≥ 99 % and p99 ≤ 2× the unflooded',
      `${n(f.p99Ratio, 2)}× the unflooded p99`,
      met(f.flooded.successRate >= 0.99 && f.p99Ratio <= 2),
    ]);
  }
  const dash = r.dashboard;
  if (dash) {
    rows.push([
      `CX dashboard overview: ${n(dash.days)} days × ${n(dash.cellsPerDay)} cells a day (the demo config), signed in`,
      `**p95 ${n(dash.p95Ms)} ms**, p50 ${n(dash.p50Ms)} ms (${n(dash.htmlBytes / 1024)} KB of HTML)`,
      `target ≤ 300 ms p95; a bare page ${n(dash.barePageP95Ms, 1)} ms`,
      `${n(dash.ratioToBare, 1)}× the bare page`,
      met(dash.p95Ms <= 300),
    ]);
  }
  const latency = r.latency;
  if (latency) {
    rows.push([
      `PutEvents → email in the emulator, --instant (${n(latency.surveys)} surveys, one at a time)`,
      `**p50 ${n(latency.p50Ms)} ms, p99 ${n(latency.p99Ms)} ms**`,
      `dispatcher tick ${n(latency.dispatchIntervalMs)} ms when not woken`,
      '',
      'informational',
    ]);
  }
  for (const rollup of r.rollupScale ?? []) {
    rows.push([
      `rollup recomputed from the invitations (--from-items) of ${n(rollup.answers)} answers over ${rollup.days} days`,
      `**${n(rollup.rollupSeconds, 1)} s**, ${n(rollup.readUnits)} read units, peak RSS ${n(rollup.peakRssMiB)} MiB`,
      'memory flat with size',
      `${n(rollup.readUnitsPerThousandAnswers, 1)} RRU per 1,000 answers`,
      'informational',
    ]);
  }
  const header = ['figure', 'measured', 'floor or target', 'ratio', 'verdict'];
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [measuredLine(r), '', line(header), line(header.map(() => '---')), ...rows.map(line)].join(
    '\n',
  );
}

/** When the figures were measured: one day, or the day of each section of a partial re-run. */
function measuredLine(r: BenchResults): string {
  const machine = `on ${r.machine.cpus} cores, Node ${r.machine.node}`;
  const byDay = new Map<string, string[]>();
  for (const [section, day] of Object.entries(r.measuredOn ?? {})) {
    byDay.set(day, [...(byDay.get(day) ?? []), section]);
  }
  if (byDay.size <= 1) {
    return `Measured ${r.measuredAt.slice(0, 10)} ${machine}, in ${n(r.seconds / 60, 1)} minutes.`;
  }
  const days = [...byDay].sort(([a], [b]) => a.localeCompare(b));
  return `Measured ${machine} over several runs: ${days.map(([day, sections]) => `${sections.join(', ')} on ${day}`).join('; ')}.`;
}

/** Writes the table into the README, formatted as `npm test`'s prettier check expects. */
export async function updateReadme(results: BenchResults, path = README_PATH): Promise<void> {
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  const updated = `${readme.slice(0, start + START.length)}\n\n${renderTable(results)}\n\n${readme.slice(end)}`;
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(path);
  writeFileSync(path, await prettier.format(updated, { ...options, filepath: path }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await updateReadme(JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as BenchResults);
  console.log(`README.md: benchmark table regenerated from ${RESULTS_PATH}`);
}
