/**
 * Benchmark: what one answered survey costs over its whole life, stage by stage, through the
 * Lambda handlers' own code on DynamoDB Local and the SES emulator: intake (the Interaction
 * Completed event), dispatch (claim, send, record), SES delivery feedback, the answer (the survey
 * page, then the form POST through the web app), the counting of its changes from the table's
 * stream (each stage's changes handed over as one batch after the stage, as Lambda's batching
 * window gathers them at a volume of this many surveys a minute), and its share of the nightly
 * rollup.
 *
 * Run twice: once with the request-unit meter on every DynamoDB call (request units), once
 * without it (handler durations, invocations, events, requests, log bytes for the cost model).
 */
import { randomUUID } from 'node:crypto';
import { FUNCTION_MEMORY_MB, type FunctionName } from '../../infra/bundling.js';
import { createFeedbackHandler } from '../../lib/handlers/feedback.js';
import { createIntakeHandler } from '../../lib/handlers/intake.js';
import type { AfterwordConfig } from '../../lib/config/schema.js';
import { INTERACTION_COMPLETED } from '../../lib/contracts/interaction.js';
import { dayOf } from '../../lib/domain/time.js';
import { fetchStoredEmails } from '../../lib/local/ses.js';
import { createRuntime } from '../../lib/runtime.js';
import { ensureTable } from '../../lib/store/table.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { rollup, rollupWindowDays } from '../../lib/usecases/rollup.js';
import { countStream } from '../../lib/usecases/count-stream.js';
import { StreamPoller } from '../../lib/local/stream-poller.js';
import { createWebApp } from '../../lib/web/app.js';
import { breakdown, RequestUnitMeter } from './request-units.js';
import { benchRuntime } from './support.js';

export const STAGES = ['intake', 'dispatch', 'feedback', 'answer', 'count', 'rollup'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageUsage {
  /** Lambda invocations of this stage's function, per answered survey. */
  invocations: number;
  /** Mean handler duration per invocation, in ms (warm, in-process, this machine). */
  meanDurationMs: number;
  /** The function's memory on AWS (infra/afterword-stack.ts). */
  memoryMb: number;
  readUnits: number;
  writeUnits: number;
  /** Log bytes the handlers wrote at LOG_LEVEL=info. */
  logBytes: number;
}

export interface SurveyLifeResult {
  surveys: number;
  answered: number;
  /** Per answered survey, by stage; the rollup's reads are multiplied by the nights it re-reads a day. */
  perSurvey: Record<Stage, StageUsage>;
  /** Per answered survey, over the whole life. */
  readUnitsPerSurvey: number;
  writeUnitsPerSurvey: number;
  /** Where the write units go: table or index name → units per answered survey. */
  writeUnitsBy: Record<string, number>;
  /** Per answered survey: each stage's DynamoDB calls and their units. */
  operations: ReturnType<typeof breakdown>;
  /** Costs that come with the clock, not with surveys. */
  perDay: {
    dispatchTicks: number;
    idleTickReadUnits: number;
    idleTickMs: number;
    rollupRuns: number;
    /** One nightly run's fixed part: reading empty day partitions, writing the cells. */
    rollupFixedReadUnits: number;
    rollupFixedWriteUnits: number;
    rollupDurationMs: number;
  };
  /** Stream records per counting batch (each stage's changes make one batch here). */
  recordsPerCountBatch: number;
  /** Counts per answered survey that other services bill. */
  eventsPublished: number;
  httpRequests: number;
  emails: number;
  nightsEachDayIsRecomputed: number;
}

/** The function each stage runs in on AWS. */
export const STAGE_FUNCTION: Record<Stage, FunctionName> = {
  intake: 'intake',
  dispatch: 'dispatch',
  feedback: 'feedback',
  answer: 'answer-http',
  count: 'count',
  rollup: 'rollup',
};

export async function surveyLife(
  endpoints: { dynamodb: string; ses: string },
  surveys: number,
): Promise<SurveyLifeResult> {
  const metered = await runLife(endpoints, surveys, true);
  const timed = await runLife(endpoints, surveys, false);
  const perSurvey = Object.fromEntries(
    STAGES.map((stage) => [
      stage,
      {
        invocations: timed.stages[stage].invocations / timed.answered,
        meanDurationMs: timed.stages[stage].ms / Math.max(1, timed.stages[stage].invocations),
        memoryMb: FUNCTION_MEMORY_MB[STAGE_FUNCTION[stage]],
        readUnits: metered.stages[stage].readUnits / metered.answered,
        writeUnits: metered.stages[stage].writeUnits / metered.answered,
        logBytes: timed.stages[stage].logBytes / timed.answered,
      },
    ]),
  ) as Record<Stage, StageUsage>;
  // A day's invitations and answers are re-read by every nightly run whose window covers it: as
  // many nights as the longest survey link (plus lateness) keeps its funnel open.
  const nights = rollupWindowDays(metered.config);
  perSurvey.rollup.readUnits =
    ((metered.stages.rollup.readUnits - metered.rollupFixedReadUnits) / metered.answered) * nights;
  perSurvey.rollup.writeUnits = 0; // the cells: a fixed cost per night (perDay), not per survey
  perSurvey.rollup.invocations = 0;
  perSurvey.rollup.logBytes = 0;
  const sum = (pick: (usage: StageUsage) => number) =>
    STAGES.reduce((total, stage) => total + pick(perSurvey[stage]), 0);
  return {
    surveys,
    answered: metered.answered,
    perSurvey,
    readUnitsPerSurvey: sum((usage) => usage.readUnits),
    writeUnitsPerSurvey: sum((usage) => usage.writeUnits),
    operations: metered.operations,
    writeUnitsBy: Object.fromEntries(
      Object.entries(metered.writeUnitsBy).map(([name, units]) => [name, units / metered.answered]),
    ),
    perDay: {
      dispatchTicks: 24 * 60,
      idleTickReadUnits: metered.idleTickReadUnits,
      idleTickMs: timed.idleTickMs,
      rollupRuns: 1,
      rollupFixedReadUnits: metered.rollupFixedReadUnits,
      rollupFixedWriteUnits: metered.stages.rollup.writeUnits,
      rollupDurationMs: timed.stages.rollup.ms,
    },
    eventsPublished: timed.events / timed.answered,
    httpRequests: timed.httpRequests / timed.answered,
    emails: timed.emails / timed.answered,
    nightsEachDayIsRecomputed: nights,
    recordsPerCountBatch: metered.countRecords / Math.max(1, metered.stages.count.invocations),
  };
}

interface LifeRun {
  config: AfterwordConfig;
  answered: number;
  stages: Record<
    Stage,
    { invocations: number; ms: number; readUnits: number; writeUnits: number; logBytes: number }
  >;
  writeUnitsBy: Record<string, number>;
  operations: ReturnType<typeof breakdown>;
  idleTickReadUnits: number;
  idleTickMs: number;
  rollupFixedReadUnits: number;
  /** Stream records the counting was handed. */
  countRecords: number;
  events: number;
  httpRequests: number;
  emails: number;
}

async function runLife(
  endpoints: { dynamodb: string; ses: string },
  surveys: number,
  withMeter: boolean,
): Promise<LifeRun> {
  // A high send rate: the send rate is the dispatch benchmark's subject.
  const { rt, published: publisher } = await benchRuntime(endpoints, {
    name: 'life',
    publicBaseUrl: 'https://surveys.example.com',
  });
  const { config } = rt;
  const meter = withMeter ? new RequestUnitMeter(endpoints.dynamodb) : undefined;
  meter?.attach(rt.dynamodb);
  const stages = Object.fromEntries(
    STAGES.map((stage) => [
      stage,
      { invocations: 0, ms: 0, readUnits: 0, writeUnits: 0, logBytes: 0 },
    ]),
  ) as LifeRun['stages'];
  const logs = captureLogs();
  const run = async <T>(stage: Stage, work: () => Promise<T>): Promise<T> => {
    if (meter) meter.stage = stage;
    stages[stage].invocations += 1;
    const started = performance.now();
    logs.bytes = 0;
    try {
      return await work();
    } finally {
      stages[stage].ms += performance.now() - started;
      stages[stage].logBytes += logs.bytes;
    }
  };

  // The counting, fed each stage's stream records as one batch (Lambda's stream is free to read).
  let countRecords = 0;
  const poller = new StreamPoller({
    endpoint: endpoints.dynamodb,
    tableName: rt.settings.tableName,
    handle: (batch) => {
      countRecords += batch.Records.length;
      return run('count', () => countStream(rt, batch));
    },
  });
  const count = () => poller.drain();
  try {
    const runId = randomUUID().slice(0, 8);
    const intakeHandler = createIntakeHandler(rt);
    const occurredAt = new Date().toISOString();
    for (let i = 0; i < surveys; i++) {
      await run('intake', () =>
        intakeHandler({
          'detail-type': INTERACTION_COMPLETED,
          detail: {
            interactionId: `life-${runId}-${i}`,
            occurredAt,
            touchpoint: i % 2 ? 'support-call' : 'order-delivered',
            channel: ['phone', 'web', 'app'][i % 3],
            customer: {
              id: `life-${runId}-customer-${i}`,
              email: `life-${runId}-${i}@example.com`,
              name: 'Ada',
              locale: 'en-GB',
              segment: 'smb',
            },
            journey: { id: 'onboarding', step: 'first-contact' },
          },
        } as never),
      );
    }

    await count();
    // Dispatch ticks until every survey is sent, then one more tick: what an idle minute costs.
    let sent = 0;
    for (let tick = 0; sent < surveys && tick < 10 + surveys / 25; tick++) {
      sent += (await run('dispatch', () => dispatch(rt, new Date(), { batchSize: 100 }))).sent;
    }
    if (meter) meter.stage = 'idle';
    const before = meter?.operations.length ?? 0;
    const idleStarted = performance.now();
    await dispatch(rt, new Date());
    const idleTickMs = performance.now() - idleStarted;
    const idleTickReadUnits = (meter?.operations.slice(before) ?? []).reduce(
      (sum, op) => sum + op.readUnits,
      0,
    );

    await count();
    const emails = (await fetchStoredEmails(endpoints.ses)).filter((email) =>
      email.destination.to.some((to) => to.startsWith(`life-${runId}-`)),
    );
    if (emails.length !== surveys || sent !== surveys) {
      throw new Error(`${surveys} surveys: ${sent} sent, ${emails.length} emails in the emulator`);
    }
    const feedbackHandler = createFeedbackHandler(rt);
    for (const email of emails) {
      const token = new URL(scoreLink(email.body.text ?? '')).pathname.split('/').pop()!;
      const id = (await rt.signer.verify(token, new Date())).invitationId;
      const timestamp = new Date().toISOString();
      await run('feedback', () =>
        feedbackHandler({
          detail: {
            eventType: 'Delivery',
            mail: { timestamp, messageId: email.messageId, tags: { invitationId: [id] } },
            delivery: { timestamp },
          },
        }),
      );
    }

    await count();
    const app = createWebApp(rt);
    let httpRequests = 0;
    for (const [n, email] of emails.entries()) {
      const link = scoreLink(email.body.text ?? '');
      const page = await run('answer', async () => app.fetch(new Request(link)));
      httpRequests += 1;
      if (page.status !== 200) throw new Error(`survey page answered ${page.status}`);
      await page.text();
      const url = new URL(link);
      const response = await run('answer', async () =>
        app.fetch(
          new Request(`${url.origin}${url.pathname}`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'sec-fetch-site': 'same-origin',
            },
            body: new URLSearchParams({
              score: String(3 + (n % 3)),
              ...(n % 4 === 0 ? { comment: 'Quick and friendly, thank you.' } : {}),
            }).toString(),
          }),
        ),
      );
      httpRequests += 1;
      if (response.status !== 200) throw new Error(`answer POST answered ${response.status}`);
      await response.text();
    }

    await count();
    // One nightly run over the day of these surveys; its fixed part is what an empty day costs.
    const today = dayOf(new Date(), config.timeZone);
    await run('rollup', () => rollup(rt, { now: new Date(), days: 1, lastDay: today }));
    let rollupFixedReadUnits = 0;
    if (meter) {
      const emptyTable = `bench-empty-${randomUUID()}`;
      const empty = createRuntime({ ...rt.settings, tableName: emptyTable });
      await ensureTable(empty.dynamodb, emptyTable, {
        countersFrom: { timeZone: empty.config.timeZone },
      });
      const emptyMeter = new RequestUnitMeter(endpoints.dynamodb);
      emptyMeter.attach(empty.dynamodb);
      await rollup(empty, { now: new Date(), days: 1, lastDay: today });
      rollupFixedReadUnits = emptyMeter.totals().total?.readUnits ?? 0;
      emptyMeter.destroy();
      empty.dynamodb.destroy();
    }

    const writeUnitsBy: Record<string, number> = {};
    for (const op of meter?.operations ?? []) {
      if (!(STAGES as readonly string[]).includes(op.stage) || op.stage === 'rollup') continue;
      let base = op.writeUnits;
      for (const [index, units] of Object.entries(op.indexWriteUnits)) {
        writeUnitsBy[`index ${index}`] = (writeUnitsBy[`index ${index}`] ?? 0) + units;
        base -= units;
      }
      if (base) writeUnitsBy.table = (writeUnitsBy.table ?? 0) + base;
    }
    for (const [stage, totals] of Object.entries(meter?.totals() ?? {})) {
      if (stage in stages) {
        stages[stage as Stage].readUnits = totals.readUnits;
        stages[stage as Stage].writeUnits = totals.writeUnits;
      }
    }
    return {
      config,
      answered: emails.length,
      stages,
      writeUnitsBy,
      operations: breakdown(meter?.operations ?? [], emails.length),
      idleTickReadUnits,
      idleTickMs,
      rollupFixedReadUnits,
      countRecords,
      events: publisher.count,
      httpRequests,
      emails: emails.length,
    };
  } finally {
    await poller.stop();
    logs.restore();
    meter?.destroy();
    rt.dynamodb.destroy();
  }
}

function scoreLink(text: string): string {
  const link = /^\d+: (\S+)$/m.exec(text)?.[1];
  if (!link) throw new Error('no score link in the survey email');
  return link;
}

/** Counts what the handlers log (at info, as on AWS) without printing it. */
function captureLogs() {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const level = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'info';
  const state = {
    bytes: 0,
    restore: () => {
      process.stdout.write = out;
      process.stderr.write = err;
      process.env.LOG_LEVEL = level;
    },
  };
  const count = (chunk: string | Uint8Array) => {
    state.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  };
  process.stdout.write = count;
  process.stderr.write = count;
  return state;
}
