/**
 * Benchmark: end-to-end latency from PutEvents to the survey email in the SES emulator, through
 * the local stack started as `afterword start --instant` starts it (program delays ignored, the
 * dispatcher woken by intake). One event at a time, so each figure is one survey's own path.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { startLocalStack } from '../../lib/local/stack.js';
import { waitFor } from '../../lib/local/ports.js';
import { percentile } from './stats.js';

/** The in-process emulator's own store: polled directly, so no HTTP polling skews the figure. */
const emulatorStore = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as {
  getStoreReadonly(): { emails: { destination: { to: string[] } }[] };
};

export interface LatencyResult {
  surveys: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The dispatcher's tick when nothing wakes it: the latency without the wake-up. */
  dispatchIntervalMs: number;
}

export async function putEventsToEmail(
  endpoints: { dynamodb: string; ses: string },
  surveys = 200,
): Promise<LatencyResult> {
  const dispatchIntervalMs = 1000;
  const stack = await startLocalStack({
    ports: { dynamodb: 0, ses: 0, bus: 0, web: 0 },
    external: endpoints,
    tableName: `bench-latency-${randomUUID()}`,
    instant: true,
    dispatchIntervalMs,
  });
  const client = new EventBridgeClient({
    endpoint: stack.urls.bus,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const runId = randomUUID().slice(0, 8);
  const latencies: number[] = [];
  try {
    const emails = emulatorStore.getStoreReadonly().emails;
    for (let i = 0; i < surveys; i++) {
      const address = `latency-${runId}-${i}@example.com`;
      const arrived = () => {
        for (let e = emails.length - 1; e >= 0; e--) {
          if (emails[e]!.destination.to.includes(address)) return true;
        }
        return false;
      };
      const started = performance.now();
      const put = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'afterword',
              Source: 'bench',
              DetailType: 'Interaction Completed',
              Detail: JSON.stringify({
                interactionId: `latency-${runId}-${i}`,
                occurredAt: new Date().toISOString(),
                touchpoint: 'support-call',
                channel: 'phone',
                customer: { id: `latency-${runId}-${i}`, email: address, locale: 'en-GB' },
              }),
            },
          ],
        }),
      );
      if (put.FailedEntryCount) throw new Error('the local bus rejected a latency event');
      await waitFor(`the survey email to ${address}`, () => Promise.resolve(arrived()), {
        timeoutMs: 10_000,
        intervalMs: 1,
      });
      latencies.push(performance.now() - started);
    }
  } finally {
    client.destroy();
    await stack.stop();
  }
  return {
    surveys,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: Math.max(...latencies),
    dispatchIntervalMs,
  };
}
