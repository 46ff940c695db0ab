/**
 * Signed survey links: `<kid>.<invitationId>.<expiry seconds>.<HMAC-SHA256>`, base64url, no PII.
 * The key id lets keys rotate: new links use the active key, old links verify while their key is kept.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidLinkError } from './errors.js';

export interface SigningKeys {
  activeKeyId: string;
  /** Secrets by key id; at least 32 bytes each. */
  keys: Record<string, string>;
}

export interface LinkClaims {
  invitationId: string;
  expiresAt: Date;
}

/**
 * What a link is for. It is inside the signature, not the token, so a survey link cannot be used
 * to unsubscribe and an unsubscribe link cannot answer.
 */
export type LinkPurpose = 'survey' | 'unsubscribe' | 'review';

const PART = /^[A-Za-z0-9_-]+$/;

/**
 * Where the keys come from: a fixed set (the local stack, tests), or a store read through a cache
 * (Secrets Manager on AWS) that `load(true)` reads afresh, bypassing the cache.
 */
export type SigningKeySource = SigningKeys | { load(fresh: boolean): Promise<SigningKeys> };

/**
 * A token naming a key id the cache does not know reloads the keys, but at most this often:
 * junk tokens with made-up key ids must not turn into a read of the secret store each.
 */
const MIN_REFRESH_INTERVAL_MS = 30_000;

export class LinkSigner {
  private lastRefresh = -Infinity;

  constructor(
    private readonly source: SigningKeySource,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (isFixed(source)) checkKeys(source);
  }

  async sign(claims: LinkClaims, purpose: LinkPurpose = 'survey'): Promise<string> {
    const signing = await this.keys(false);
    const kid = signing.activeKeyId;
    const payload = `${kid}.${claims.invitationId}.${Math.floor(claims.expiresAt.getTime() / 1000)}`;
    return `${payload}.${mac(signing, kid, purpose, payload).toString('base64url')}`;
  }

  /** Returns the claims of a genuine, unexpired token, or throws InvalidLinkError with the reason. */
  async verify(token: string, now: Date, purpose: LinkPurpose = 'survey'): Promise<LinkClaims> {
    const parts = token.split('.');
    if (parts.length !== 4 || !parts.every((part) => PART.test(part))) {
      throw new InvalidLinkError('malformed');
    }
    const [kid, invitationId, expiry, signature] = parts as [string, string, string, string];
    if (!/^\d{1,12}$/.test(expiry)) throw new InvalidLinkError('malformed');
    let signing = await this.keys(false);
    if (!signing.keys.has(kid) && this.mayRefresh()) {
      // Links signed with a key added since this container read the secret keep working.
      signing = await this.keys(true);
    }
    if (!signing.keys.has(kid)) throw new InvalidLinkError('unknown-key');
    const expected = mac(signing, kid, purpose, `${kid}.${invitationId}.${expiry}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidLinkError('bad-signature');
    }
    const expiresAt = new Date(Number(expiry) * 1000);
    if (expiresAt.getTime() <= now.getTime()) throw new InvalidLinkError('expired', invitationId);
    return { invitationId, expiresAt };
  }

  private async keys(fresh: boolean): Promise<CheckedKeys> {
    if (isFixed(this.source)) return checkKeys(this.source);
    return checkKeys(await this.source.load(fresh));
  }

  private mayRefresh(): boolean {
    if (isFixed(this.source)) return false;
    const now = this.now();
    if (now - this.lastRefresh < MIN_REFRESH_INTERVAL_MS) return false;
    this.lastRefresh = now;
    return true;
  }
}

interface CheckedKeys {
  activeKeyId: string;
  /** A Map, not an object: a key id such as "constructor" or "__proto__" must find nothing. */
  keys: Map<string, string>;
}

function isFixed(source: SigningKeySource): source is SigningKeys {
  return 'keys' in source;
}

const checked = new WeakMap<SigningKeys, CheckedKeys>();

function checkKeys(signing: SigningKeys): CheckedKeys {
  const known = checked.get(signing);
  if (known) return known;
  const keys = new Map(Object.entries(signing.keys));
  if (!keys.has(signing.activeKeyId)) {
    throw new Error(`no secret for the active signing key id "${signing.activeKeyId}"`);
  }
  for (const [kid, secret] of keys) {
    if (!PART.test(kid)) throw new Error(`signing key id "${kid}" must be base64url characters`);
    if (typeof secret !== 'string' || Buffer.byteLength(secret) < 32)
      throw new Error(`signing key "${kid}" is shorter than 32 bytes`);
  }
  const result = { activeKeyId: signing.activeKeyId, keys };
  checked.set(signing, result);
  return result;
}

function mac(signing: CheckedKeys, kid: string, purpose: LinkPurpose, payload: string): Buffer {
  // Survey links sign the bare payload; other purposes are prefixed, so purposes never collide.
  const signed = purpose === 'survey' ? payload : `${purpose}:${payload}`;
  return createHmac('sha256', signing.keys.get(kid)!).update(signed).digest();
}
