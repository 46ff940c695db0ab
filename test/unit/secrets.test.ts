import { describe, expect, it } from 'vitest';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretStrings } from '../../lib/adapters/secrets.js';

/** A client that answers GetSecretValue with the current value, counting the reads. */
function fakeClient(values: Map<string, string>) {
  const reads: string[] = [];
  const client = {
    send: (command: { input: { SecretId: string } }) => {
      reads.push(command.input.SecretId);
      return Promise.resolve({ SecretString: values.get(command.input.SecretId) });
    },
  } as unknown as SecretsManagerClient;
  return { client, reads };
}

describe('the secret cache', () => {
  it('reads once within the maximum age, again after it or when asked for a fresh value', async () => {
    const values = new Map([['keys', 'v1']]);
    const { client, reads } = fakeClient(values);
    let now = 0;
    let built = 0;
    const secrets = new SecretStrings(
      () => ((built += 1), Promise.resolve(client)),
      () => now,
    );
    expect(await secrets.get('keys', { maxAgeSeconds: 300 })).toBe('v1');
    values.set('keys', 'v2');
    now = 299_000;
    expect(await secrets.get('keys', { maxAgeSeconds: 300 })).toBe('v1');
    expect(await secrets.get('keys', { maxAgeSeconds: 300, fresh: true })).toBe('v2');
    values.set('keys', 'v3');
    now = 299_000 + 300_000;
    expect(await secrets.get('keys', { maxAgeSeconds: 300 })).toBe('v3');
    expect(reads).toEqual(['keys', 'keys', 'keys']);
    expect(built).toBe(1);
  });

  it('keeps a value without a maximum age for good, and builds no client until the first read', async () => {
    const { client, reads } = fakeClient(new Map([['consent', 'k']]));
    let built = 0;
    const secrets = new SecretStrings(() => ((built += 1), Promise.resolve(client)));
    expect(built).toBe(0);
    expect(await secrets.get('consent')).toBe('k');
    expect(await secrets.get('consent')).toBe('k');
    expect(reads).toHaveLength(1);
    expect(await secrets.get('missing')).toBeUndefined();
  });
});
