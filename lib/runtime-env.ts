/**
 * A Lambda function's runtime from its environment, read once at cold start: the table, the bus,
 * the public URL and the secrets (link-signing keys, the consent key, the dashboard's) it needs,
 * the keys read through a cache (adapters/secrets.ts) so a rotation reaches warm containers too.
 */
import { loadConfig } from './config/load.js';
import { SecretStrings } from './adapters/secrets.js';
import type { SigningKeys } from './domain/links.js';
import { clientOptions, newClient } from './adapters/sdk-clients.js';
import {
  type Settings,
  type Runtime,
  createRuntime,
  dependenciesFor,
  MissingSettingError,
  type Needs,
  type RuntimePart,
} from './runtime.js';

/** What a function needs beyond the table; each need fails fast at cold start when its variable is missing. */
export type Need = 'signing' | 'publicBaseUrl' | 'eventBus' | 'dashboard' | 'consent';

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new MissingSettingError(`environment variable ${name} is required`);
  return value;
}

/**
 * Settings for a Lambda function, from its environment, read once at cold start. The signing keys
 * come from Secrets Manager (LINK_SIGNING_SECRET_ARN: JSON `{"activeKeyId":"k1","k1":"<secret>"}`),
 * through a cache with a maximum age.
 */
export async function settingsFromEnv(
  needs: readonly Need[],
  env: NodeJS.ProcessEnv = process.env,
  /** Local endpoints, to run a function as deployed against the local components (tests). */
  endpoints?: Settings['endpoints'],
): Promise<Settings> {
  const settings: Settings = {
    config: loadConfig(env.AFTERWORD_CONFIG),
    tableName: required(env, 'TABLE_NAME'),
    region: env.AWS_REGION ?? 'us-east-1',
    sesConfigurationSet: env.SES_CONFIGURATION_SET || undefined,
    ...(endpoints ? { endpoints } : {}),
    ...(env.EXPORT_BUCKET ? { exports: { bucket: env.EXPORT_BUCKET } } : {}),
  };
  if (needs.includes('eventBus')) settings.eventBusName = required(env, 'EVENT_BUS_NAME');
  if (needs.includes('publicBaseUrl')) settings.publicBaseUrl = required(env, 'PUBLIC_BASE_URL');
  if (needs.includes('signing')) {
    const source = secretKeySource(required(env, 'LINK_SIGNING_SECRET_ARN'), settings);
    await source.load(false); // fail at cold start, naming the problem, not at the first link
    settings.signing = source;
  }
  if (needs.includes('consent')) {
    const secretId = required(env, 'CONSENT_KEY_SECRET_ARN');
    // Read when first needed and kept: the key never changes (a new one would lose every opt-out).
    settings.consentKey = { load: () => readSecretString(secretId, settings) };
  }
  if (needs.includes('dashboard')) {
    const publicBaseUrl = required(env, 'PUBLIC_BASE_URL');
    const sessionKeys = secretKeySource(required(env, 'DASHBOARD_SESSION_SECRET_ARN'), settings);
    await sessionKeys.load(false);
    const clientSecretArn = env.OIDC_CLIENT_SECRET_ARN;
    settings.dashboard = {
      sessionKeys,
      oidc: {
        issuer: required(env, 'OIDC_ISSUER'),
        clientId: required(env, 'OIDC_CLIENT_ID'),
        ...(clientSecretArn
          ? { clientSecret: await readSecretString(clientSecretArn, settings) }
          : {}),
        redirectUri: new URL('/dashboard/auth/callback', publicBaseUrl).toString(),
        groupsClaim: env.OIDC_GROUPS_CLAIM || 'groups',
        ...(env.OIDC_LOGOUT_URL ? { logoutUrl: env.OIDC_LOGOUT_URL } : {}),
      },
    };
  }
  return settings;
}

/** How long a container keeps the signing keys before reading the secret again. */
export const SIGNING_KEYS_MAX_AGE_SECONDS = 300;

/**
 * The signing keys in Secrets Manager, read through a cache: re-read after
 * SIGNING_KEYS_MAX_AGE_SECONDS, or at once (`load(true)`) when a link names a key id the cache
 * does not know, so a key added by a rotation works in warm containers too.
 */
export function secretKeySource(
  secretId: string,
  settings: Pick<Settings, 'region' | 'endpoints'>,
): { load(fresh: boolean): Promise<SigningKeys> } {
  // Loaded on first use, so functions that sign no links never evaluate it at cold start.
  const provider = secretsProvider(settings);
  let last: { raw: string; keys: SigningKeys } | undefined;
  return {
    async load(fresh) {
      const raw = await provider.get(secretId, {
        maxAgeSeconds: SIGNING_KEYS_MAX_AGE_SECONDS,
        fresh,
      });
      if (typeof raw !== 'string')
        throw new MissingSettingError('the link-signing secret is empty');
      // Parsed once per value, so the signer's checks run once per rotation, not per link.
      if (last?.raw !== raw) last = { raw, keys: parseSigningSecret(raw) };
      return last.keys;
    },
  };
}

/** Secret strings through a cache; the Secrets Manager client is loaded on the first read. */
export function secretsProvider(settings: Pick<Settings, 'region' | 'endpoints'>): SecretStrings {
  return new SecretStrings(() =>
    import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient }) =>
      newClient(SecretsManagerClient, clientOptions(settings, settings.endpoints?.secrets)),
    ),
  );
}

/** A secret's string value (an identity provider's client secret, the consent key), read once. */
export async function readSecretString(
  secretId: string,
  settings: Pick<Settings, 'region' | 'endpoints'>,
): Promise<string> {
  const value = await secretsProvider(settings).get(secretId);
  if (typeof value !== 'string' || !value) {
    throw new MissingSettingError(`the secret ${secretId} holds no string`);
  }
  return value;
}

/** `{"activeKeyId":"k2","k1":"…","k2":"…"}`: every other field is a key, so old links keep working after rotation. */
export function parseSigningSecret(secretString: string): SigningKeys {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new MissingSettingError('the link-signing secret is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MissingSettingError('the link-signing secret must be a JSON object');
  }
  const { activeKeyId, ...keys } = parsed as Record<string, unknown>;
  if (typeof activeKeyId !== 'string' || Object.values(keys).some((k) => typeof k !== 'string')) {
    throw new MissingSettingError(
      'the link-signing secret must be {"activeKeyId": "<id>", "<id>": "<secret>", …}',
    );
  }
  return { activeKeyId, keys: keys as Record<string, string> };
}

export const fromEnv = new Map<string, Promise<Runtime>>();

/** The runtime of a Lambda function: built on first use and kept for the container's life. */
export function runtimeFromEnv(needs: readonly Need[] = []): Promise<Runtime> {
  const key = [...needs].sort().join(',');
  let runtime = fromEnv.get(key);
  if (!runtime) {
    runtime = settingsFromEnv(needs).then(createRuntime);
    // A failed start (say, Secrets Manager throttled) must not poison the container for good.
    runtime.catch(() => fromEnv.delete(key));
    fromEnv.set(key, runtime);
  }
  return runtime;
}

/**
 * A Lambda function's dependencies, built from its environment: only the parts of the runtime its
 * handler declares (`<NAME>_HANDLER_USES`), each built when first reached.
 */
export async function dependenciesFromEnv<const Parts extends readonly RuntimePart[]>(
  needs: readonly Need[],
  parts: Parts,
): Promise<Needs<Parts>> {
  return dependenciesFor(await runtimeFromEnv(needs), parts);
}
