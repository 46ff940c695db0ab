/**
 * Benchmark: the dispatcher's sustained send rate against the configured SES rate, draining a
 * backlog through the SES emulator. Target: at least 95 % of the rate, no throttling errors.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../lib/config/load.js';
import { INTERACTION_COMPLETED } from '../../lib/contracts/interaction.js';
import { createRuntime, fixedConsentKey } from '../../lib/runtime.js';
import { ensureTable } from '../../lib/store/table.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';

export interface DispatchRateResult {
  configuredRate: number;
  surveys: number;
  sent: number;
  seconds: number;
  sustainedRate: number;
  ratioToConfigured: number;
  retried: number;
  failed: number;
}

export async function dispatchRate(
  endpoints: { dynamodb: string; ses: string },
  options: { rate: number; surveys: number },
): Promise<DispatchRateResult> {
  const config = loadConfig();
  config.sending.maxSendRate = options.rate;
  // The rate is measured, not the send window: without it the run's result hung on the hour of the
  // day (outside 09:00-20:00 UTC every survey waited for the morning, and 0 were sent).
  for (const program of config.programs) delete program.sendWindow;
  const rt = createRuntime({
    config,
    consentKey: fixedConsentKey('bench-consent-key-of-at-least-32-bytes'),
    tableName: `bench-${randomUUID()}`,
    region: 'us-east-1',
    publicBaseUrl: 'http://127.0.0.1:3000',
    signing: { activeKeyId: 'bench', keys: { bench: 'bench-secret-that-is-at-least-32-bytes' } },
    endpoints,
  });
  await ensureTable(rt.dynamodb, rt.settings.tableName);
  const occurredAt = new Date(Date.now() - 3 * 3600_000); // due, well within maxLateness
  for (let i = 0; i < options.surveys; i++) {
    await intake(
      rt,
      {
        'detail-type': INTERACTION_COMPLETED,
        source: 'bench.producer',
        detail: {
          interactionId: `rate-${i}`,
          occurredAt: occurredAt.toISOString(),
          touchpoint: 'support-call',
          channel: 'phone',
          customer: { id: `rate-customer-${i}`, email: `rate-${i}@example.com`, timeZone: 'UTC' },
        },
      },
      occurredAt,
    );
  }
  // Drop the bucket's first second of burst from the measurement: start from an empty bucket.
  const limiter = await rt.sendLimiter();
  limiter.pause(0);
  const started = performance.now();
  const result = await dispatch(rt, new Date(), {
    budgetMs: 10 * 60_000,
    batchSize: 100,
    concurrency: 16,
  });
  const seconds = (performance.now() - started) / 1000;
  rt.dynamodb.destroy();
  return {
    configuredRate: options.rate,
    surveys: options.surveys,
    sent: result.sent,
    seconds,
    sustainedRate: result.sent / seconds,
    ratioToConfigured: result.sent / seconds / options.rate,
    retried: result.retried,
    failed: result.failed,
  };
}
