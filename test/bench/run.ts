/**
 * `npm run bench`: runs the benchmarks against the real local components and writes their
 * figures to test/bench/results.json. Benchmarks are not tests: they report, they do not fail on a
 * slow machine (only on lost data).
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { intakeBurst } from './intake-burst.js';

process.env.LOG_LEVEL ??= 'warn';
const events = Number(process.env.BENCH_INTAKE_EVENTS ?? 10_000);

const intake = await intakeBurst(events);
const lost = intake.events - intake.decisionsWritten;
const results = {
  measuredAt: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  intakeBurst: intake,
};
const path = fileURLToPath(new URL('./results.json', import.meta.url));
writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);

console.log(`intake burst: ${intake.events} events through the local bus into DynamoDB Local`);
console.log(
  `  end to end      ${intake.seconds.toFixed(1)} s  →  ${intake.eventsPerSecond.toFixed(0)} events/s`,
);
console.log(`  PutEvents only  ${intake.putEventsSeconds.toFixed(1)} s`);
console.log(
  `  decisions       ${intake.decisionsWritten} written, ${lost} lost, ${intake.deadLetters} dead letters`,
);
console.log(`results: ${path}`);
if (lost !== 0 || intake.deadLetters !== 0) process.exitCode = 1;
