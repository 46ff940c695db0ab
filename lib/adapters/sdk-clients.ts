/**
 * Every AWS SDK client is built here: the region, a named profile or a local endpoint (with fake
 * credentials, so no credential lookup happens offline), a quiet logger, and the hooks the test
 * suite uses to record each function's AWS calls.
 */
import type { Logger } from '@smithy/types';
import type { Settings } from '../runtime.js';

/** Fake credentials for local endpoints, so no AWS credential lookup happens offline. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The SDK's logger: no `info`. The SDK builds a copy of every response with its sensitive fields
 * masked before it calls `logger.info` (its default logger has one, doing nothing): for a page of
 * rollup rows that copy costs more than the request. Without `info` it is never built.
 */
const QUIET_SDK_LOGGER = {
  trace: () => undefined,
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as Logger;

export function clientOptions(
  settings: Pick<Settings, 'region' | 'profile'>,
  endpoint: string | undefined,
) {
  return {
    region: settings.region,
    logger: QUIET_SDK_LOGGER,
    ...(endpoint ? { endpoint, credentials: LOCAL_CREDENTIALS } : {}),
    ...(settings.profile && !endpoint ? { profile: settings.profile } : {}),
  };
}

/** Any SDK v3 client, as far as its middleware stack goes. */
export interface SdkClient {
  middlewareStack: { add(middleware: never, options: never): void };
}

const clientHooks = new Set<(client: SdkClient) => void>();

/**
 * Calls `hook` with every SDK client the runtime builds from now on (the test suite records the AWS
 * calls each function makes this way); returns a function that stops it.
 */
export function onSdkClient(hook: (client: SdkClient) => void): () => void {
  clientHooks.add(hook);
  return () => clientHooks.delete(hook);
}

/**
 * An AWS client for these settings (region, profile, a local endpoint), built like the runtime's
 * own, so hooks see it too (the CLI's clients for a deployed stack).
 */
export function sdkClient<C extends SdkClient>(
  Client: new (options: ReturnType<typeof clientOptions>) => C,
  settings: Pick<Settings, 'region' | 'profile'>,
  endpoint?: string,
): C {
  return newClient(Client, clientOptions(settings, endpoint));
}

/** Every AWS client is built here, so hooks see all of them. */
export function newClient<C extends SdkClient, O>(Client: new (options: O) => C, options: O): C {
  const client = new Client(options);
  for (const hook of clientHooks) hook(client);
  return client;
}
