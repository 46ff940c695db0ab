/**
 * Sealed cookies for the dashboard: the signed-in session and the sign-in transaction (state, nonce,
 * PKCE verifier) are encrypted and authenticated with a key from the same keyed secret format as
 * the link-signing keys (`{"activeKeyId":"k1","k1":"…"}`), so they rotate the same way: new cookies
 * use the active key, cookies sealed with a key still kept keep opening until they expire.
 * A cookie that was tampered with, sealed with an unknown key, or is past its expiry opens to
 * nothing: the caller signs the user in again.
 */
import { createHash } from 'node:crypto';
import { compactDecrypt, CompactEncrypt, decodeProtectedHeader } from 'jose';
import type { SigningKeys, SigningKeySource } from '../domain/links.js';

/** A cookie's payload: what it says, and when it stops opening (seconds since the epoch). */
export interface Sealed<T> {
  value: T;
  /** What the cookie is for: a session cookie never opens as a transaction, nor the reverse. */
  purpose: string;
  expiresAt: number;
}

export class CookieSealer {
  constructor(
    private readonly source: SigningKeySource,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async seal<T>(purpose: string, value: T, ttlSeconds: number): Promise<string> {
    const keys = await this.keys();
    const payload: Sealed<T> = {
      value,
      purpose,
      expiresAt: Math.floor(this.now() / 1000) + ttlSeconds,
    };
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: keys.activeKeyId })
      .encrypt(keyFor(keys, keys.activeKeyId)!);
  }

  /** The value, or undefined when the cookie is missing, forged, for another purpose or expired. */
  async open<T>(purpose: string, cookie: string | undefined): Promise<T | undefined> {
    if (!cookie || cookie.length > 8192) return undefined;
    try {
      const { kid } = decodeProtectedHeader(cookie);
      const key = typeof kid === 'string' ? keyFor(await this.keys(), kid) : undefined;
      if (!key) return undefined;
      const { plaintext } = await compactDecrypt(cookie, key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      const sealed = JSON.parse(new TextDecoder().decode(plaintext)) as Sealed<T>;
      if (sealed.purpose !== purpose) return undefined;
      if (sealed.expiresAt * 1000 <= this.now()) return undefined;
      return sealed.value;
    } catch {
      return undefined; // not a cookie we sealed
    }
  }

  private keys(): Promise<SigningKeys> {
    return 'keys' in this.source ? Promise.resolve(this.source) : this.source.load(false);
  }
}

/** A 256-bit key per key id, derived from its secret (own keys only: no prototype names). */
function keyFor(keys: SigningKeys, kid: string): Uint8Array | undefined {
  if (!Object.hasOwn(keys.keys, kid)) return undefined;
  return createHash('sha256').update(`afterword-cookie:${keys.keys[kid]}`).digest();
}
