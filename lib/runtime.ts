/**
 * Wiring: settings (read once, failing fast with the variable's name) and the SDK clients and
 * stores built from them. The same wiring serves Lambda (real AWS) and the local stack (endpoints
 * pointing at DynamoDB Local, the SES emulator and the local bus).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgePublisher, type EventPublisher } from './adapters/events.js';
import { SesMailer, type Mailer } from './adapters/mailer.js';
import { loadConfig } from './config/load.js';
import type { AfterwordConfig, Program } from './config/schema.js';
import { AFTERWORD_SOURCE } from './contracts/survey-events.js';
import { LinkSigner, type SigningKeys } from './domain/links.js';
import { InvitationStore } from './store/invitations.js';
import { RollupStore } from './store/rollups.js';

export interface Settings {
  config: AfterwordConfig;
  tableName: string;
  region: string;
  eventBusName: string;
  /** Where survey links point: the answer endpoint's public base URL. */
  publicBaseUrl: string;
  signing: SigningKeys;
  sesConfigurationSet?: string;
  /** Local endpoints; unset on AWS. */
  endpoints?: { dynamodb?: string; ses?: string; events?: string };
  /** Local trial mode: ignore program delays so the email goes out at once. */
  instant?: boolean;
}

export interface Runtime {
  settings: Settings;
  config: AfterwordConfig;
  invitations: InvitationStore;
  rollups: RollupStore;
  mailer: Mailer;
  events: EventPublisher;
  signer: LinkSigner;
  programFor(touchpoint: string): Program | undefined;
  dynamodb: DynamoDBClient;
}

/** Fake credentials for local endpoints, so no AWS credential lookup happens offline. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function createRuntime(settings: Settings): Runtime {
  const clientOptions = (endpoint: string | undefined) => ({
    region: settings.region,
    ...(endpoint ? { endpoint, credentials: LOCAL_CREDENTIALS } : {}),
  });
  const dynamodb = new DynamoDBClient(clientOptions(settings.endpoints?.dynamodb));
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const ses = new SESv2Client(clientOptions(settings.endpoints?.ses));
  const eventBridge = new EventBridgeClient(clientOptions(settings.endpoints?.events));
  const programs = new Map(settings.config.programs.map((p) => [p.touchpoint, p]));
  return {
    settings,
    config: settings.config,
    invitations: new InvitationStore(doc, settings.tableName),
    rollups: new RollupStore(doc, settings.tableName),
    mailer: new SesMailer(ses, settings.sesConfigurationSet),
    events: new EventBridgePublisher(eventBridge, settings.eventBusName, AFTERWORD_SOURCE),
    signer: new LinkSigner(settings.signing),
    programFor: (touchpoint) => programs.get(touchpoint),
    dynamodb,
  };
}

export class MissingSettingError extends Error {
  override name = 'MissingSettingError';
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new MissingSettingError(`environment variable ${name} is required`);
  return value;
}

/**
 * Settings for a Lambda function, from its environment. The signing secret arrives as
 * LINK_SIGNING_KEYS (JSON `{"kid":"secret"}`) and LINK_SIGNING_KEY_ID.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  let keys: Record<string, string>;
  try {
    keys = JSON.parse(required(env, 'LINK_SIGNING_KEYS')) as Record<string, string>;
  } catch (error) {
    if (error instanceof MissingSettingError) throw error;
    throw new MissingSettingError(
      'environment variable LINK_SIGNING_KEYS must be JSON {"kid":"secret"}',
    );
  }
  return {
    config: loadConfig(env.AFTERWORD_CONFIG),
    tableName: required(env, 'TABLE_NAME'),
    region: env.AWS_REGION ?? 'us-east-1',
    eventBusName: required(env, 'EVENT_BUS_NAME'),
    publicBaseUrl: required(env, 'PUBLIC_BASE_URL'),
    signing: { activeKeyId: required(env, 'LINK_SIGNING_KEY_ID'), keys },
    sesConfigurationSet: env.SES_CONFIGURATION_SET,
  };
}

let fromEnv: Runtime | undefined;

/** The runtime of a Lambda function: built on first use and kept for the container's life. */
export function runtimeFromEnv(): Runtime {
  return (fromEnv ??= createRuntime(settingsFromEnv()));
}
