/** Test wiring: a runtime on DynamoDB Local and the SES emulator, with a fresh table per test file. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { EventPublisher } from '../../lib/ports/events.js';
import { loadConfig } from '../../lib/config/load.js';
import type { AfterwordConfig } from '../../lib/config/schema.js';
import type { InteractionCompleted } from '../../lib/contracts/interaction.js';
import {
  SURVEY_ANSWERED,
  SURVEY_FOLLOW_UP_REQUESTED,
  SURVEY_FOLLOW_UP_WITHDRAWN,
  SurveyAnsweredV1,
  SurveyFollowUpRequestedV1,
  SurveyFollowUpWithdrawnV1,
  SurveyFollowUpOverdueV1,
  SURVEY_FOLLOW_UP_OVERDUE,
} from '../../lib/contracts/survey-events.js';
import { CUSTOMER_ERASED, CustomerErasedV1 } from '../../lib/contracts/erasure.js';
import { fetchStoredEmails, type StoredEmail } from '../../lib/local/ses.js';
import { waitFor } from '../../lib/local/ports.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../lib/local/stack.js';
import { createRuntime, fixedConsentKey, type Runtime, type Settings } from '../../lib/runtime.js';
import { ensureTable } from '../../lib/store/table.js';
import { countingPoller, type StreamPoller } from '../../lib/local/stream-poller.js';

export const TEST_SIGNING = {
  activeKeyId: 'test1',
  keys: { test1: 'test-secret-that-is-at-least-32-bytes-long' },
};

export const TEST_CONSENT_KEY = 'test-consent-key-that-is-at-least-32-bytes';

const OUTGOING: Record<string, { parse(value: unknown): unknown }> = {
  [SURVEY_ANSWERED]: SurveyAnsweredV1.strict(),
  [SURVEY_FOLLOW_UP_REQUESTED]: SurveyFollowUpRequestedV1.strict(),
  [SURVEY_FOLLOW_UP_WITHDRAWN]: SurveyFollowUpWithdrawnV1.strict(),
  [SURVEY_FOLLOW_UP_OVERDUE]: SurveyFollowUpOverdueV1.strict(),
  [CUSTOMER_ERASED]: CustomerErasedV1.strict(),
};

/** Records what would go on the bus, and holds every event to its published contract. */
export class RecordingPublisher implements EventPublisher {
  readonly events: { detailType: string; detail: object }[] = [];
  publish(detailType: string, detail: object) {
    const schema = OUTGOING[detailType];
    if (!schema) throw new Error(`no contract for the event "${detailType}"`);
    schema.parse(JSON.parse(JSON.stringify(detail)));
    this.events.push({ detailType, detail });
    return Promise.resolve();
  }
}

export interface TestRuntime extends Runtime {
  published: RecordingPublisher;
}

export async function testRuntime(overrides: Partial<Settings> = {}): Promise<TestRuntime> {
  // Tests send in bursts; the real send rate is exercised where it is the subject.
  const config = loadConfig();
  config.sending.maxSendRate = 1000;
  // The table's stream counted as the local stack counts it, whenever a rollup asks.
  const counting: { poller?: StreamPoller } = {};
  const settings: Settings = {
    config,
    catchUpCounting: () => counting.poller?.drain() ?? Promise.resolve(),
    tableName: `test-${randomUUID()}`,
    region: 'us-east-1',
    eventBusName: 'afterword',
    publicBaseUrl: 'http://127.0.0.1:3999',
    signing: TEST_SIGNING,
    consentKey: fixedConsentKey(TEST_CONSENT_KEY),
    endpoints: { dynamodb: inject('dynamodbEndpoint'), ses: inject('sesEndpoint') },
    ...overrides,
  };
  const runtime = createRuntime(settings);
  await ensureTable(runtime.dynamodb, settings.tableName, {
    countersFrom: { timeZone: settings.config.timeZone },
  });
  const published = new RecordingPublisher();
  const testRuntime = { ...runtime, events: published, published };
  counting.poller = countingPoller(runtime, settings.endpoints!.dynamodb!);
  return testRuntime;
}

export function withConfig(change: (config: AfterwordConfig) => void): AfterwordConfig {
  const config = structuredClone(loadConfig());
  config.sending.maxSendRate = 1000;
  change(config);
  return config;
}

let counter = 0;
/** A valid interaction with a unique id and address, so tests never see each other's data. */
export function interaction(overrides: Partial<InteractionCompleted> = {}): InteractionCompleted {
  const unique = `${Date.now().toString(36)}-${(counter++).toString(36)}-${randomUUID().slice(0, 8)}`;
  return {
    interactionId: `test-${unique}`,
    occurredAt: '2026-11-23T10:15:00+01:00',
    touchpoint: 'support-call',
    channel: 'phone',
    customer: {
      id: `c-${unique}`,
      email: `c-${unique}@example.com`,
      name: 'Ada',
      locale: 'en-GB',
      segment: 'smb',
    },
    journey: { id: 'onboarding', step: 'first-call' },
    ...overrides,
  };
}

/** The source the tests' producer puts its interactions on the bus with. */
export const TEST_SOURCE = 'test.producer';

export const event = (detail: unknown, source = TEST_SOURCE) => ({
  'detail-type': 'Interaction Completed',
  source,
  detail,
});

export async function emailsTo(address: string): Promise<StoredEmail[]> {
  const emails = await fetchStoredEmails(inject('sesEndpoint'));
  return emails.filter((email) => email.destination.to.includes(address));
}

/** Polls the SES emulator until `count` emails to `address` are there (bounded). */
export async function waitForEmails(
  address: string,
  count = 1,
  timeoutMs = 10_000,
): Promise<StoredEmail[]> {
  let found: StoredEmail[] = [];
  await waitFor(
    `${count} email(s) to ${address}`,
    async () => {
      found = await emailsTo(address);
      return found.length >= count;
    },
    { timeoutMs },
  );
  return found;
}

export function scoreLinks(email: StoredEmail): Map<number, string> {
  const links = new Map<number, string>();
  for (const match of (email.body.text ?? '').matchAll(/^(\d+): (\S+)$/gm)) {
    links.set(Number(match[1]), match[2]!);
  }
  return links;
}

/** The local stack on the test run's DynamoDB Local and SES emulator, with its own table. */
export function startTestStack(
  name: string,
  options: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  return startLocalStack({
    ports: { dynamodb: 0, ses: 0, bus: 0, web: 0 },
    external: { dynamodb: inject('dynamodbEndpoint'), ses: inject('sesEndpoint') },
    tableName: `${name}-${randomUUID()}`,
    instant: true,
    dispatchIntervalMs: 200,
    ...options,
  });
}
