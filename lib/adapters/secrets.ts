/**
 * Secret strings from Secrets Manager, cached in the container for a bounded age. Written here
 * rather than taken from Powertools Parameters: its provider imports the Secrets Manager client
 * statically, and a bundler hoists that import to the top of every function's bundle, so every
 * cold start paid for a client most functions never use (measured: +10 to +15 ms a process).
 * Here the client and its command load on the first read.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface SecretReadOptions {
  /** A cached value older than this is read again (seconds; default: kept for good). */
  maxAgeSeconds?: number;
  /** Read again now, whatever the cache holds (a rotation the cache cannot know about). */
  fresh?: boolean;
}

export class SecretStrings {
  private readonly cache = new Map<string, { value: string; readAt: number }>();
  private client: Promise<SecretsManagerClient> | undefined;

  constructor(
    private readonly newClient: () => Promise<SecretsManagerClient>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The secret's string, or undefined when it holds none (a binary secret). */
  async get(secretId: string, options: SecretReadOptions = {}): Promise<string | undefined> {
    const cached = this.cache.get(secretId);
    const maxAgeMs = (options.maxAgeSeconds ?? Number.POSITIVE_INFINITY) * 1000;
    if (cached && !options.fresh && this.now() - cached.readAt < maxAgeMs) return cached.value;
    if (!this.client) {
      this.client = this.newClient();
      // A failed start (say, a throttled credential lookup) is tried again at the next read.
      this.client.catch(() => (this.client = undefined));
    }
    const [client, { GetSecretValueCommand }] = await Promise.all([
      this.client,
      import('@aws-sdk/client-secrets-manager'),
    ]);
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (SecretString !== undefined)
      this.cache.set(secretId, { value: SecretString, readAt: this.now() });
    return SecretString;
  }
}
