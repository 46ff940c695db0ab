/**
 * `npm run bench`: runs the benchmarks against the real local components (DynamoDB Local, the SES
 * emulator, the local bus) and writes their figures to test/bench/results.json. Benchmarks are not
 * tests: they report figures with their targets, and fail only when data is lost.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../../lib/local/dynamodb.js';
import { freePort } from '../../lib/local/ports.js';
import { startSesEmulator } from '../../lib/local/ses.js';
import { dispatchRate } from './dispatch-rate.js';
import { intakeBurst } from './intake-burst.js';
import { rollupScale, type RollupScaleResult } from './rollup-scale.js';

process.env.LOG_LEVEL ??= 'warn';
const intakeEvents = Number(process.env.BENCH_INTAKE_EVENTS ?? 10_000);
const dispatchSurveys = Number(process.env.BENCH_DISPATCH_SURVEYS ?? 1_500);
const sendRate = Number(process.env.BENCH_SEND_RATE ?? 50);
const rollupSizes = (process.env.BENCH_ROLLUP_SIZES ?? '100000,1000000').split(',').map(Number);

const dynamodb = await startDynamoDbLocal({ port: await freePort() });
const ses = await startSesEmulator({ port: await freePort() });
const endpoints = { dynamodb: dynamodb.endpoint, ses: ses.endpoint };
try {
  const intake = await intakeBurst(endpoints, intakeEvents);
  const send = await dispatchRate(endpoints, { rate: sendRate, surveys: dispatchSurveys });
  const rollups: RollupScaleResult[] = [];
  for (const size of rollupSizes) rollups.push(await rollupScale(endpoints, size));
  const results = {
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    intakeBurst: intake,
    dispatchRate: send,
    rollupScale: rollups,
  };
  const path = fileURLToPath(new URL('./results.json', import.meta.url));
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);

  const lost = intake.events - intake.decisionsWritten;
  console.log(`intake burst: ${intake.events} events through the local bus into DynamoDB Local`);
  console.log(
    `  end to end      ${intake.seconds.toFixed(1)} s  →  ${intake.eventsPerSecond.toFixed(0)} events/s`,
  );
  console.log(`  PutEvents only  ${intake.putEventsSeconds.toFixed(1)} s`);
  console.log(
    `  decisions       ${intake.decisionsWritten} written, ${lost} lost, ${intake.deadLetters} dead letters`,
  );
  console.log(
    `dispatch rate: ${send.surveys} due surveys through the SES emulator at ${send.configuredRate}/s`,
  );
  console.log(
    `  sustained       ${send.sustainedRate.toFixed(1)}/s = ${(send.ratioToConfigured * 100).toFixed(1)} % of the configured rate (target ≥ 95 %)`,
  );
  console.log(`  sent ${send.sent}, retried ${send.retried}, failed ${send.failed}`);
  for (const r of rollups) {
    console.log(
      `rollup: ${r.answers} answers over ${r.days} days (loaded in ${r.loadSeconds.toFixed(0)} s)`,
    );
    console.log(
      `  ${r.rollupSeconds.toFixed(1)} s (${r.answersPerSecond.toFixed(0)} answers/s), ${r.readUnits.toFixed(0)} read units (${r.readUnitsPerThousandAnswers.toFixed(1)} per 1,000 answers), peak RSS ${r.peakRssMiB.toFixed(0)} MiB, heap ${r.peakHeapUsedMiB.toFixed(0)} MiB, ${r.rowsWritten} rows`,
    );
  }
  console.log(`results: ${path}`);
  if (lost !== 0 || intake.deadLetters !== 0 || send.sent !== send.surveys) process.exitCode = 1;
} finally {
  await ses.stop();
  await dynamodb.stop();
}
