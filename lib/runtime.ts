/**
 * Wiring: settings (read once, failing fast with the variable's name) and the SDK clients and
 * stores built from them. The same wiring serves Lambda (real AWS) and the local stack (endpoints
 * pointing at DynamoDB Local, the SES emulator and the local bus).
 */
import { log } from './adapters/log.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientOptions, newClient } from './adapters/sdk-clients.js';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgePublisher } from './adapters/events.js';
import type { EventPublisher } from './ports/events.js';
import { exporterFor, type RollupExporter } from './adapters/exports.js';
import { SesMailer } from './adapters/mailer.js';
import type { Mailer } from './ports/mailer.js';
import type { AfterwordConfig } from './config/schema.js';
import type { Program } from './domain/program.js';
import { AFTERWORD_SOURCE } from './contracts/survey-events.js';
import type { OidcSettings } from './auth/oidc.js';
import { LinkSigner, type SigningKeySource } from './domain/links.js';
import { TokenBucket } from './domain/token-bucket.js';
import { InvitationStore } from './store/invitations.js';
import { OutboxStore } from './store/outbox.js';
import { AnswerStore } from './store/answers.js';
import { DayIndex } from './store/day-index.js';
import type { CounterStore } from './store/counters.js';
import { storeFactory } from './store/parts.js';
import { ExpectationStore } from './store/expectations.js';
import { AuditStore } from './store/audit.js';
import { CaseStore } from './store/cases.js';
import { ContactStore } from './store/contacts.js';
import { DispatcherLeaseStore } from './store/dispatcher-lease.js';
import { ErasureStore } from './store/erasures.js';
import { RollupStore } from './store/rollups.js';
import { SuppressionStore, type ConsentKeySource } from './store/suppressions.js';
import { LegacyShapes } from './store/legacy-shapes.js';

export interface Settings {
  config: AfterwordConfig;
  tableName: string;
  region: string;
  /** The bus Afterword publishes its own events on; functions that publish nothing have none. */
  eventBusName?: string;
  /** Where survey links point: the answer endpoint's public base URL (dispatch and answer). */
  publicBaseUrl?: string;
  /** Link-signing keys (dispatch and answer only): fixed, or read through a cache (AWS). */
  signing?: SigningKeySource;
  sesConfigurationSet?: string;
  /** Local endpoints; unset on AWS. */
  endpoints?: { dynamodb?: string; ses?: string; events?: string; secrets?: string; s3?: string };
  /** A named AWS profile for the credentials (the CLI against a deployed stack). */
  profile?: string;
  /** Where the rollup writes its rows for BI tools: an S3 bucket (AWS), or a folder (local). */
  exports?: { bucket: string } | { dir: string };
  /** Local trial mode: ignore program delays so the email goes out at once. */
  instant?: boolean;
  /**
   * Brings the stream's counting up to date (the local stack drains its poller) before a rollup
   * reads the counters. On AWS the count function runs on its own, a minute or two behind.
   */
  catchUpCounting?: () => Promise<unknown>;
  /** The dashboard's sign-in: the OpenID Connect issuer and the keys that seal its cookies. */
  dashboard?: { oidc: OidcSettings; sessionKeys: SigningKeySource };
  /**
   * The key of the keyed hashes that name addresses and erased customers in opt-outs and
   * suppressions (functions that check or record consent, the erasure).
   */
  consentKey?: ConsentKeySource;
}

export interface Runtime {
  settings: Settings;
  config: AfterwordConfig;
  invitations: InvitationStore;
  /** The dispatcher's steps on invitations: what is due, claims, sends, reminders, expiry. */
  outbox: OutboxStore;
  /** The customer's answers and deep-dive sections on invitations. */
  answers: AnswerStore;
  /** Invitations and answers by day: the rollup's and the drill-down's reads. */
  dayIndex: DayIndex;
  /** The rollup's counters, kept from the table's stream. */
  counters: CounterStore;
  /** Waits until the counters hold every change written so far (locally; on AWS at once). */
  catchUpCounting(): Promise<void>;
  suppressions: SuppressionStore;
  contacts: ContactStore;
  rollups: RollupStore;
  dispatcherLease: DispatcherLeaseStore;
  audit: AuditStore;
  /** Follow-up cases of unhappy answers. */
  cases: CaseStore;
  /** Owners' expected scores per month (the perception gap). */
  expectations: ExpectationStore;
  /** The records that erasures happened (without the identity). */
  erasures: ErasureStore;
  /** Whether the table still holds items of the first key shapes (read once per container). */
  legacyShapes: LegacyShapes;
  /** The rollup's export for BI tools, when this runtime has one. */
  exporter?: RollupExporter;
  mailer: Mailer;
  events: EventPublisher;
  /** Signs and verifies survey links; throws when this function was given no signing keys. */
  readonly signer: LinkSigner;
  /** The survey links' base URL; throws when this function was given none. */
  readonly publicBaseUrl: string;
  /** Paces sends at the configured rate, or the SES account's maximum; shared by every tick. */
  sendLimiter(): Promise<TokenBucket>;
  programFor(touchpoint: string): Program | undefined;
  dynamodb: DynamoDBClient;
}

/** A part of the runtime a use case may reach. */
export type RuntimePart = keyof Runtime;

/**
 * The parts of the runtime a use case reaches, and no more: each use case declares its list
 * (`<NAME>_USES`, spreading the lists of the use cases it calls), and each function is built
 * with its handler's list only (`dependenciesFor`), so nothing hands a use case every client.
 */
export type Needs<Parts extends readonly RuntimePart[]> = Pick<Runtime, Parts[number]>;

export function createRuntime(settings: Settings): Runtime {
  const dynamodb = newClient(DynamoDBClient, clientOptions(settings, settings.endpoints?.dynamodb));
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const programs = new Map(settings.config.programs.map((p) => [p.touchpoint, p]));
  // Each store is built when first reached: a function given a few parts builds only those.
  const built = new Map<RuntimePart, unknown>();
  const part = <T>(name: RuntimePart, make: () => T): T => {
    if (!built.has(name)) built.set(name, make());
    return built.get(name) as T;
  };
  // Clients a function does not use are never built, so their cost stays out of its cold start.
  let mailer: Mailer | undefined;
  let events: EventPublisher | undefined;
  let signer: LinkSigner | undefined;
  let limiter: Promise<TokenBucket> | undefined;
  const runtime: Runtime = {
    settings,
    config: settings.config,
    get invitations() {
      return part('invitations', () => new InvitationStore(doc, settings.tableName));
    },
    get outbox() {
      return part('outbox', () => new OutboxStore(doc, settings.tableName));
    },
    get answers() {
      return part('answers', () => new AnswerStore(doc, settings.tableName));
    },
    get dayIndex() {
      return part('dayIndex', () => new DayIndex(doc, settings.tableName));
    },
    get counters() {
      return part('counters', () =>
        storeFactory<CounterStore>('counters')(doc, settings.tableName, dynamodb),
      );
    },
    async catchUpCounting() {
      try {
        await settings.catchUpCounting?.();
      } catch (error) {
        // The counters as they are, a little behind, as on AWS: not a reason to write no rows.
        log.warn('rollup.counting-behind', { error: (error as Error).name });
      }
    },
    get suppressions() {
      return part(
        'suppressions',
        () =>
          new SuppressionStore(doc, settings.tableName, settings.consentKey, runtime.legacyShapes),
      );
    },
    get contacts() {
      return part(
        'contacts',
        () =>
          new ContactStore(
            doc,
            settings.tableName,
            settings.config.dataRetentionDays,
            runtime.legacyShapes,
          ),
      );
    },
    get legacyShapes() {
      return part('legacyShapes', () => new LegacyShapes(doc, settings.tableName));
    },
    get expectations() {
      return part('expectations', () => new ExpectationStore(doc, settings.tableName));
    },
    get rollups() {
      return part('rollups', () => new RollupStore(doc, settings.tableName));
    },
    get dispatcherLease() {
      return part('dispatcherLease', () => new DispatcherLeaseStore(doc, settings.tableName));
    },
    get audit() {
      return part(
        'audit',
        () => new AuditStore(doc, settings.tableName, settings.config.dataRetentionDays),
      );
    },
    get cases() {
      return part('cases', () => new CaseStore(doc, settings.tableName));
    },
    get erasures() {
      return part('erasures', () => new ErasureStore(doc, settings.tableName));
    },
    ...(settings.exports ? { exporter: exporterFor(settings, settings.exports) } : {}),
    get mailer() {
      return (mailer ??= new SesMailer(
        // One attempt: SendEmail has no idempotency token, so an SDK retry after a timeout or a
        // 5xx could send a survey twice. Dispatch decides what to try again (throttling only).
        () =>
          import('@aws-sdk/client-sesv2').then(({ SESv2Client }) =>
            newClient(SESv2Client, {
              ...clientOptions(settings, settings.endpoints?.ses),
              maxAttempts: 1,
            }),
          ),
        settings.sesConfigurationSet,
      ));
    },
    set mailer(value: Mailer) {
      mailer = value;
    },
    get events() {
      const busName = settings.eventBusName;
      if (!busName) throw new MissingSettingError('no event bus configured (EVENT_BUS_NAME)');
      return (events ??= new EventBridgePublisher(
        () =>
          import('@aws-sdk/client-eventbridge').then(({ EventBridgeClient }) =>
            newClient(EventBridgeClient, clientOptions(settings, settings.endpoints?.events)),
          ),
        busName,
        AFTERWORD_SOURCE,
      ));
    },
    set events(value: EventPublisher) {
      events = value;
    },
    get signer() {
      if (!settings.signing) throw new MissingSettingError('no link-signing keys configured');
      return (signer ??= new LinkSigner(settings.signing));
    },
    get publicBaseUrl() {
      if (!settings.publicBaseUrl)
        throw new MissingSettingError('no public base URL (PUBLIC_BASE_URL)');
      return settings.publicBaseUrl;
    },
    sendLimiter() {
      limiter ??= (async () => {
        const rate = settings.config.sending.maxSendRate ?? (await runtime.mailer.maxSendRate());
        return new TokenBucket(rate);
      })();
      limiter.catch(() => (limiter = undefined));
      return limiter;
    },
    programFor: (touchpoint) => programs.get(touchpoint),
    dynamodb,
  };
  return runtime;
}

/**
 * A function's dependencies: the `parts` of `runtime` it declared, read through to it, and nothing
 * else reachable (a use case given them cannot find another store or client).
 */
export function dependenciesFor<const Parts extends readonly RuntimePart[]>(
  runtime: Runtime,
  parts: Parts,
): Needs<Parts> {
  const whole = runtime as unknown as Record<RuntimePart, unknown>;
  const picked = {};
  for (const name of new Set(parts)) {
    Object.defineProperty(picked, name, {
      // Read through (a store is built when first reached; a replaced mailer is seen).
      get: () => whole[name],
      set: (value: unknown) => (whole[name] = value),
      enumerable: true,
    });
  }
  return picked as Needs<Parts>;
}

/** A consent key that is given (the local stack's file, the tests). */
export function fixedConsentKey(key: string): ConsentKeySource {
  return { load: () => Promise.resolve(key) };
}

export class MissingSettingError extends Error {
  override name = 'MissingSettingError';
}
