/** What the benchmarks share: a runtime on the bench's DynamoDB Local and SES emulator. */
import { randomUUID } from 'node:crypto';
import type { EventPublisher } from '../../lib/ports/events.js';
import { loadConfig } from '../../lib/config/load.js';
import { createRuntime, fixedConsentKey, type Runtime } from '../../lib/runtime.js';
import { ensureTable } from '../../lib/store/table.js';

/** Counts what would be put on EventBridge (which the benchmarks do not measure). */
export class CountingPublisher implements EventPublisher {
  count = 0;
  publish(): Promise<void> {
    this.count += 1;
    return Promise.resolve();
  }
}

/**
 * A runtime with its own table, instant sends at `sendRate`, and a counting publisher instead of
 * EventBridge.
 */
export async function benchRuntime(
  endpoints: { dynamodb: string; ses: string },
  options: { name: string; publicBaseUrl: string; sendRate?: number },
): Promise<{ rt: Runtime; published: CountingPublisher }> {
  const config = loadConfig();
  config.sending.maxSendRate = options.sendRate ?? 1000;
  const rt = createRuntime({
    config,
    consentKey: fixedConsentKey('bench-consent-key-of-at-least-32-bytes'),
    tableName: `bench-${options.name}-${randomUUID()}`,
    region: 'us-east-1',
    publicBaseUrl: options.publicBaseUrl,
    eventBusName: 'afterword',
    signing: { activeKeyId: 'bench', keys: { bench: 'bench-secret-that-is-at-least-32-bytes' } },
    endpoints,
    instant: true,
  });
  await ensureTable(rt.dynamodb, rt.settings.tableName, {
    countersFrom: { timeZone: rt.config.timeZone },
    noLegacyShapes: true,
  });
  const published = new CountingPublisher();
  rt.events = published;
  return { rt, published };
}
