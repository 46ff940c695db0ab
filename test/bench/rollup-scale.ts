/**
 * Benchmark: the rollup recomputed from the invitations (`afterword rollup --from-items`, the
 * nightly run's check and fallback since it reads the stream's counters) over many synthetic
 * answers in DynamoDB Local. Reports the time,
 * the read units DynamoDB reports for the day-index Queries, and the Node process's peak memory,
 * which must not grow with the number of answers (streaming aggregation into cells).
 */
import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../lib/config/load.js';
import { addDays, dayBounds } from '../../lib/domain/time.js';
import { createRuntime, fixedConsentKey } from '../../lib/runtime.js';
import { shardOf, ensureTable } from '../../lib/store/table.js';
import { rollup } from '../../lib/usecases/rollup.js';

export interface RollupScaleResult {
  answers: number;
  days: number;
  loadSeconds: number;
  rollupSeconds: number;
  answersPerSecond: number;
  readUnits: number;
  readUnitsPerThousandAnswers: number;
  rowsWritten: number;
  peakRssMiB: number;
  peakHeapUsedMiB: number;
}

const TOUCHPOINTS = [
  ['support-call', 'nps', 11],
  ['order-delivered', 'csat', 5],
  ['chat-closed', 'ces', 7],
] as const;
const CHANNELS = ['phone', 'web', 'app'];
const SEGMENTS = ['smb', 'enterprise', 'consumer'];

export async function rollupScale(
  endpoints: { dynamodb: string; ses: string },
  answers: number,
): Promise<RollupScaleResult> {
  const config = loadConfig();
  const rt = createRuntime({
    config,
    consentKey: fixedConsentKey('bench-consent-key-of-at-least-32-bytes'),
    tableName: `bench-${randomUUID()}`,
    region: 'us-east-1',
    endpoints,
  });
  await ensureTable(rt.dynamodb, rt.settings.tableName);
  const days = 7;
  const lastDay = '2026-11-22';
  const firstDay = addDays(lastDay, -(days - 1));
  const dayStart = dayBounds(firstDay, config.timeZone).start.getTime();

  const loadStarted = performance.now();
  let next = 0;
  const writer = async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= answers) return;
      let requests: WriteRequest[] = [];
      for (let i = start; i < Math.min(start + 25, answers); i++) {
        const id = `bench${i.toString(36).padStart(8, '0')}`;
        const [touchpoint, metric, scale] = TOUCHPOINTS[i % 3]!;
        const at = new Date(dayStart + ((i * 7919) % (days * 86_400)) * 1000).toISOString();
        const shard = shardOf(id);
        requests.push({
          PutRequest: {
            Item: marshall({
              pk: `INV#${id}`,
              sk: 'INVITATION',
              invitationId: id,
              status: 'answered',
              touchpoint,
              channel: CHANNELS[(i >> 2) % 3],
              segment: SEGMENTS[(i >> 4) % 3],
              metric,
              sendAt: at,
              decidedAt: at,
              sentAt: at,
              answeredAt: at,
              score: (metric === 'nps' ? 0 : 1) + ((i * 31) % scale),
              dayPk: `${at.slice(0, 10)}#${shard}`,
              daySk: `${at}#${id}`,
              answerDayPk: `${at.slice(0, 10)}#${shard}`,
              answerDaySk: `${at}#${id}`,
            }),
          },
        });
      }
      while (requests.length) {
        const result = await rt.dynamodb.send(
          new BatchWriteItemCommand({ RequestItems: { [rt.settings.tableName]: requests } }),
        );
        requests = result.UnprocessedItems?.[rt.settings.tableName] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(sample, 50);
  rt.dayIndex.readUnits = 0;
  const started = performance.now();
  // The recompute from the invitations (`--from-items`): the nightly run reads counters instead.
  const result = await rollup(rt, { now: new Date(), days, lastDay, fromItems: true });
  const rollupSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  rt.dynamodb.destroy();
  return {
    answers,
    days,
    loadSeconds,
    rollupSeconds,
    answersPerSecond: answers / rollupSeconds,
    readUnits: rt.dayIndex.readUnits,
    readUnitsPerThousandAnswers: (rt.dayIndex.readUnits / answers) * 1000,
    rowsWritten: result.rows,
    peakRssMiB: peakRss / 2 ** 20,
    peakHeapUsedMiB: peakHeap / 2 ** 20,
  };
}
