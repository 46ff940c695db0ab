import { describe, expect, it } from 'vitest';
import { InvalidLinkError } from '../../lib/domain/errors.js';
import { LinkSigner } from '../../lib/domain/links.js';

const secretA = 'a'.repeat(32);
const secretB = 'b'.repeat(32);
const now = new Date('2026-11-23T10:00:00Z');
const later = new Date('2026-11-30T10:00:00Z');

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidLinkError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('signed survey links', () => {
  const signer = new LinkSigner({ activeKeyId: 'k1', keys: { k1: secretA } });

  it('verifies its own token and returns the invitation and expiry', () => {
    const token = signer.sign({ invitationId: 'inv123', expiresAt: later });
    expect(signer.verify(token, now)).toEqual({ invitationId: 'inv123', expiresAt: later });
  });

  it('carries no PII: only key id, invitation id, expiry and signature', () => {
    const token = signer.sign({ invitationId: 'inv123', expiresAt: later });
    expect(token.split('.')).toHaveLength(4);
    expect(token).not.toMatch(/@/);
  });

  it('rejects a token whose invitation id or expiry was changed', () => {
    const [kid, , expiry, mac] = signer
      .sign({ invitationId: 'inv123', expiresAt: later })
      .split('.');
    expect(reason(() => signer.verify(`${kid}.inv124.${expiry}.${mac}`, now))).toBe(
      'bad-signature',
    );
    expect(reason(() => signer.verify(`${kid}.inv123.${Number(expiry) + 1}.${mac}`, now))).toBe(
      'bad-signature',
    );
  });

  it('rejects an expired token, a malformed one and an unknown key', () => {
    const token = signer.sign({ invitationId: 'inv123', expiresAt: later });
    expect(reason(() => signer.verify(token, new Date('2026-12-01T00:00:00Z')))).toBe('expired');
    expect(reason(() => signer.verify('not-a-token', now))).toBe('malformed');
    expect(reason(() => signer.verify('k1.inv.12.<script>', now))).toBe('malformed');
    expect(reason(() => signer.verify(token.replace(/^k1/, 'k9'), now))).toBe('unknown-key');
  });

  it('keeps old links valid across a key rotation while the old key is kept', () => {
    const old = signer.sign({ invitationId: 'inv123', expiresAt: later });
    const rotated = new LinkSigner({ activeKeyId: 'k2', keys: { k1: secretA, k2: secretB } });
    expect(rotated.verify(old, now).invitationId).toBe('inv123');
    expect(rotated.sign({ invitationId: 'x', expiresAt: later })).toMatch(/^k2\./);
    const forgedWithOtherKey = new LinkSigner({ activeKeyId: 'k1', keys: { k1: secretB } }).sign({
      invitationId: 'inv123',
      expiresAt: later,
    });
    expect(reason(() => signer.verify(forgedWithOtherKey, now))).toBe('bad-signature');
  });

  it('refuses short secrets and a missing active key', () => {
    expect(() => new LinkSigner({ activeKeyId: 'k1', keys: { k1: 'short' } })).toThrowError(
      /shorter than 32 bytes/,
    );
    expect(() => new LinkSigner({ activeKeyId: 'k2', keys: { k1: secretA } })).toThrowError(/"k2"/);
  });
});
