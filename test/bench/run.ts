/**
 * `npm run bench`: runs the benchmarks against the real local components (DynamoDB Local, the SES
 * emulator, the local bus), prints every figure with its floor or target and the ratio, writes
 * test/bench/results.json and regenerates the README's table from it. Benchmarks are not tests:
 * a slow machine fails nothing; only lost data makes the run fail.
 *
 * BENCH_ONLY=life,cold,web,flood,dashboard,latency,intake,dispatch,rollup runs some of them (the others' figures
 * are kept from the last results.json).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { BUNDLE_BUDGET_KB } from '../../infra/bundling.js';
import { startDynamoDbLocal } from '../../lib/local/dynamodb.js';
import { freePort } from '../../lib/local/ports.js';
import { startSesEmulator } from '../../lib/local/ses.js';
import { answerEndpoint } from './answer-endpoint.js';
import { flood } from './flood.js';
import { coldStart } from './cold-start.js';
import { costPerThousand } from './cost.js';
import { dashboardBench } from './dashboard.js';
import { dispatchRate } from './dispatch-rate.js';
import { intakeBurst } from './intake-burst.js';
import { putEventsToEmail } from './latency.js';
import {
  COST_TARGET,
  RESULTS_PATH,
  RRU_TARGET,
  updateReadme,
  WRU_STRETCH,
  WRU_TARGET,
} from './readme.js';
import type { BenchResults } from './results.js';
import { rollupScale } from './rollup-scale.js';
import { surveyLife } from './survey-life.js';
import { BENCH_SECTIONS } from './results.js';

process.env.LOG_LEVEL ??= 'warn';
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const intakeEvents = Number(env('BENCH_INTAKE_EVENTS', '10000'));
const dispatchSurveys = Number(env('BENCH_DISPATCH_SURVEYS', '1500'));
const sendRate = Number(env('BENCH_SEND_RATE', '50'));
const lifeSurveys = Number(env('BENCH_LIFE_SURVEYS', '200'));
const surveysPerDay = Number(env('BENCH_SURVEYS_PER_DAY', '10000'));
const rollupSizes = env('BENCH_ROLLUP_SIZES', '100000,1000000').split(',').map(Number);
const only = new Set(env('BENCH_ONLY', BENCH_SECTIONS.join(',')).split(',').filter(Boolean));

const previous: Partial<BenchResults> = existsSync(RESULTS_PATH)
  ? (JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as BenchResults)
  : {};
const results: BenchResults = {
  ...previous,
  measuredAt: new Date().toISOString(),
  seconds: 0,
  machine: {
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
};
const ratio = (value: number, floor: number) => `${(value / floor).toFixed(2)}×`;
const fixed = (value: number, digits = 0) => value.toFixed(digits);
const started = performance.now();
let dataLost = false;

const dynamodb = await startDynamoDbLocal({ port: await freePort() });
const ses = await startSesEmulator({ port: await freePort() });
const endpoints = { dynamodb: dynamodb.endpoint, ses: ses.endpoint };
try {
  if (only.has('life')) {
    const life = await surveyLife(endpoints, lifeSurveys);
    results.surveyLife = life;
    results.cost = costPerThousand(life, {
      surveysPerDay,
      unitTargets: { writeUnits: WRU_TARGET, readUnits: RRU_TARGET },
    });
    console.log(`survey life: ${life.answered} answered surveys, request units by AWS's rules`);
    for (const [stage, usage] of Object.entries(life.perSurvey)) {
      console.log(
        `  ${stage.padEnd(9)} ${fixed(usage.writeUnits, 2)} WRU  ${fixed(usage.readUnits, 2)} RRU  ${fixed(usage.invocations, 3)} invocations × ${fixed(usage.meanDurationMs, 1)} ms`,
      );
    }
    console.log(
      `  per answered survey ${fixed(life.writeUnitsPerSurvey, 2)} WRU (target ≤ ${WRU_TARGET}, stretch ${WRU_STRETCH}: ${ratio(life.writeUnitsPerSurvey, WRU_TARGET)}), ${fixed(life.readUnitsPerSurvey, 2)} RRU (target ≤ ${RRU_TARGET}: ${ratio(life.readUnitsPerSurvey, RRU_TARGET)})`,
    );
    console.log(
      `  write units by table/index: ${Object.entries(life.writeUnitsBy)
        .map(([name, units]) => `${name} ${fixed(units, 2)}`)
        .join(', ')}`,
    );
    const cost = results.cost;
    console.log(
      `cost per 1,000 answered surveys: $${fixed(cost.perThousandTotal, 4)} (SES alone $${fixed(cost.floorPerThousand, 4)}: ${fixed(cost.ratioToFloor, 3)}×, target ≤ ${COST_TARGET}×)`,
    );
    console.log(
      `  ${Object.entries(cost.perThousand)
        .map(([service, usd]) => `${service} $${fixed(usd, 5)}`)
        .join(', ')}`,
    );
    console.log(
      `  with DynamoDB at the unit targets (${WRU_TARGET} WRU, ${RRU_TARGET} RRU), the rest as measured: $${fixed(cost.perThousandAtUnitTargets, 4)} (${fixed(cost.perThousandAtUnitTargets / cost.floorPerThousand, 3)}×)`,
    );
    console.log(
      `  fixed $${fixed(cost.fixedPerMonth, 2)} a month → $${fixed(cost.perThousandAtVolume, 4)} per 1,000 at ${surveysPerDay} surveys a day`,
    );
  }
  if (only.has('cold')) {
    const cold = await coldStart();
    results.coldStart = cold;
    console.log(
      `cold start: bare Node process ${fixed(cold.bareProcessMs)} ms; the runtime's DynamoDB SDK alone adds ${fixed(cold.sdkFloorMs)} ms, bundled ${fixed(cold.bundledSdkFloorMs)} ms (median of ${cold.runs})`,
    );
    for (const f of cold.functions) {
      console.log(
        `  ${f.name.padEnd(12)} ${fixed(f.bundleBytes / 1024, 1)} KB (target < ${BUNDLE_BUDGET_KB[f.name]})  process ${fixed(f.processMs)} ms, module load +${fixed(f.moduleLoadMs)} ms: ${fixed(f.processMs / (cold.bareProcessMs + cold.sdkFloorMs), 2)}× the DynamoDB SDK's process (target ≤ 1.15); first request ${fixed(f.firstRequestMs)} ms: ${fixed(f.firstRequestMs / (cold.bareProcessMs + cold.sdkFloorMs), 2)}×`,
      );
    }
  }
  if (only.has('web')) {
    const web = await answerEndpoint(endpoints);
    results.answerEndpoint = web;
    const show = (name: string, f: typeof web.minimal) =>
      console.log(
        `  ${name.padEnd(16)} ${fixed(f.requestsPerSecond)} req/s  p50 ${fixed(f.p50Ms, 1)} ms  p99 ${fixed(f.p99Ms, 1)} ms  ${f.errors} errors`,
      );
    console.log(`answer endpoint: ${web.concurrency} clients on one server`);
    show('minimal handler', web.minimal);
    show('survey page GET', web.surveyPage);
    show('answer POST', web.answerPost);
    console.log(
      `  ratio to the minimal handler: page ${fixed(web.pageRatio, 2)}×, POST ${fixed(web.postRatio, 2)}×`,
    );
  }
  if (only.has('flood')) {
    const f = await flood(endpoints);
    results.flood = f;
    const show = (name: string, phase: typeof f.flooded) =>
      console.log(
        `  ${name.padEnd(10)} ${phase.succeeded}/${phase.requests} succeeded (${fixed(phase.successRate * 100, 2)} %, target ≥ 99 %)  p50 ${fixed(phase.p50Ms, 1)} ms  p99 ${fixed(phase.p99Ms, 1)} ms`,
      );
    console.log(
      `flood: ${f.clients} clients open, answer and unsubscribe ${f.surveysPerClient} surveys each, without and with one client flooding bad tokens`,
    );
    show('unflooded', f.unflooded);
    show('flooded', f.flooded);
    console.log(
      `  the flood: ${f.flood.requests} requests (${fixed(f.flood.requestsPerSecond)} req/s), ${f.flood.refused} refused 429; flooded p99 ${ratio(f.flooded.p99Ms, f.unflooded.p99Ms)} the unflooded (target ≤ 2×)`,
    );
  }
  if (only.has('dashboard')) {
    const dash = await dashboardBench(endpoints);
    results.dashboard = dash;
    console.log(
      `dashboard: ${dash.days} days × ${dash.cellsPerDay} cells a day, signed in: p50 ${fixed(dash.p50Ms)} ms, p95 ${fixed(dash.p95Ms)} ms (target ≤ 300); bare page p95 ${fixed(dash.barePageP95Ms, 1)} ms (${fixed(dash.ratioToBare, 1)}×); ${fixed(dash.htmlBytes / 1024)} KB of HTML`,
    );
  }
  if (only.has('latency')) {
    const latency = await putEventsToEmail(endpoints);
    results.latency = latency;
    console.log(
      `PutEvents → email (--instant, ${latency.surveys} one at a time): p50 ${fixed(latency.p50Ms)} ms, p99 ${fixed(latency.p99Ms)} ms (the un-woken tick is ${latency.dispatchIntervalMs} ms)`,
    );
  }
  if (only.has('intake')) {
    const intake = await intakeBurst(endpoints, intakeEvents);
    results.intakeBurst = intake;
    const lost = intake.events - intake.decisionsWritten;
    dataLost ||= lost !== 0 || intake.deadLetters !== 0;
    console.log(`intake burst: ${intake.events} events through the local bus into DynamoDB Local`);
    console.log(
      `  ${fixed(intake.seconds, 1)} s end to end → ${fixed(intake.eventsPerSecond)} events/s (PutEvents ${fixed(intake.putEventsSeconds, 1)} s); ${lost} lost, ${intake.deadLetters} dead letters`,
    );
  }
  if (only.has('dispatch')) {
    const send = await dispatchRate(endpoints, { rate: sendRate, surveys: dispatchSurveys });
    results.dispatchRate = send;
    dataLost ||= send.sent !== send.surveys;
    console.log(
      `dispatch: ${send.surveys} due surveys at a configured ${send.configuredRate}/s: ${fixed(send.sustainedRate, 1)}/s sustained = ${fixed(send.ratioToConfigured * 100, 1)} % (target ≥ 95 %); ${send.retried} retried, ${send.failed} failed`,
    );
  }
  if (only.has('rollup')) {
    results.rollupScale = [];
    for (const size of rollupSizes) {
      const r = await rollupScale(endpoints, size);
      results.rollupScale.push(r);
      console.log(
        `rollup: ${r.answers} answers over ${r.days} days (loaded in ${fixed(r.loadSeconds)} s): ${fixed(r.rollupSeconds, 1)} s, ${fixed(r.readUnits)} read units (${fixed(r.readUnitsPerThousandAnswers, 1)} per 1,000), peak RSS ${fixed(r.peakRssMiB)} MiB, heap ${fixed(r.peakHeapUsedMiB)} MiB`,
      );
    }
  }
  results.seconds = (performance.now() - started) / 1000;
  // A partial run (BENCH_ONLY) re-measures some figures only: each keeps the day it was measured.
  const today = results.measuredAt.slice(0, 10);
  results.measuredOn = Object.fromEntries(
    BENCH_SECTIONS.map((section) => [
      section,
      only.has(section)
        ? today
        : (previous.measuredOn?.[section] ?? previous.measuredAt?.slice(0, 10) ?? today),
    ]),
  );
  // formatted as `npm test`'s prettier check expects (short arrays on one line)
  const prettier = await import('prettier');
  writeFileSync(
    RESULTS_PATH,
    await prettier.format(JSON.stringify(results), {
      ...(await prettier.resolveConfig(RESULTS_PATH)),
      filepath: RESULTS_PATH,
    }),
  );
  await updateReadme(results);
  console.log(
    `results: ${RESULTS_PATH} and the README table (${fixed(results.seconds / 60, 1)} min)`,
  );
  if (dataLost) process.exitCode = 1;
} finally {
  await ses.stop();
  await dynamodb.stop();
}
