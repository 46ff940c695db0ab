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
export type LinkPurpose = 'survey' | 'unsubscribe';

const PART = /^[A-Za-z0-9_-]+$/;

export class LinkSigner {
  constructor(private readonly signing: SigningKeys) {
    if (!signing.keys[signing.activeKeyId]) {
      throw new Error(`no secret for the active signing key id "${signing.activeKeyId}"`);
    }
    for (const [kid, secret] of Object.entries(signing.keys)) {
      if (!PART.test(kid)) throw new Error(`signing key id "${kid}" must be base64url characters`);
      if (Buffer.byteLength(secret) < 32)
        throw new Error(`signing key "${kid}" is shorter than 32 bytes`);
    }
  }

  sign(claims: LinkClaims, purpose: LinkPurpose = 'survey'): string {
    const kid = this.signing.activeKeyId;
    const payload = `${kid}.${claims.invitationId}.${Math.floor(claims.expiresAt.getTime() / 1000)}`;
    return `${payload}.${this.mac(kid, purpose, payload).toString('base64url')}`;
  }

  /** Returns the claims of a genuine, unexpired token, or throws InvalidLinkError with the reason. */
  verify(token: string, now: Date, purpose: LinkPurpose = 'survey'): LinkClaims {
    const parts = token.split('.');
    if (parts.length !== 4 || !parts.every((part) => PART.test(part))) {
      throw new InvalidLinkError('malformed');
    }
    const [kid, invitationId, expiry, signature] = parts as [string, string, string, string];
    if (!/^\d{1,12}$/.test(expiry)) throw new InvalidLinkError('malformed');
    if (!this.signing.keys[kid]) throw new InvalidLinkError('unknown-key');
    const expected = this.mac(kid, purpose, `${kid}.${invitationId}.${expiry}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidLinkError('bad-signature');
    }
    const expiresAt = new Date(Number(expiry) * 1000);
    if (expiresAt.getTime() <= now.getTime()) throw new InvalidLinkError('expired', invitationId);
    return { invitationId, expiresAt };
  }

  private mac(kid: string, purpose: LinkPurpose, payload: string): Buffer {
    // Survey links sign the bare payload; other purposes are prefixed, so purposes never collide.
    const signed = purpose === 'survey' ? payload : `${purpose}:${payload}`;
    return createHmac('sha256', this.signing.keys[kid]!).update(signed).digest();
  }
}
