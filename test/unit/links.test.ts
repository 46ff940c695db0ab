import { describe, expect, it } from 'vitest';
import { InvalidLinkError } from '../../lib/domain/errors.js';
import { LinkSigner, type SigningKeys } from '../../lib/domain/links.js';

const secretA = 'a'.repeat(32);
const secretB = 'b'.repeat(32);
const now = new Date('2026-11-23T10:00:00Z');
const later = new Date('2026-11-30T10:00:00Z');

async function reason(verifying: Promise<unknown>): Promise<string | undefined> {
  try {
    await verifying;
  } catch (error) {
    if (error instanceof InvalidLinkError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('signed survey links', () => {
  const signer = new LinkSigner({ activeKeyId: 'k1', keys: { k1: secretA } });

  it('verifies its own token and returns the invitation and expiry', async () => {
    const token = await signer.sign({ invitationId: 'inv123', expiresAt: later });
    expect(await signer.verify(token, now)).toEqual({ invitationId: 'inv123', expiresAt: later });
  });

  it('carries no PII: only key id, invitation id, expiry and signature', async () => {
    const token = await signer.sign({ invitationId: 'inv123', expiresAt: later });
    expect(token.split('.')).toHaveLength(4);
    expect(token).not.toMatch(/@/);
  });

  it('rejects a token whose invitation id or expiry was changed', async () => {
    const [kid, , expiry, mac] = (
      await signer.sign({ invitationId: 'inv123', expiresAt: later })
    ).split('.');
    expect(await reason(signer.verify(`${kid}.inv124.${expiry}.${mac}`, now))).toBe(
      'bad-signature',
    );
    expect(await reason(signer.verify(`${kid}.inv123.${Number(expiry) + 1}.${mac}`, now))).toBe(
      'bad-signature',
    );
  });

  it('rejects an expired token, a malformed one and an unknown key', async () => {
    const token = await signer.sign({ invitationId: 'inv123', expiresAt: later });
    expect(await reason(signer.verify(token, new Date('2026-12-01T00:00:00Z')))).toBe('expired');
    expect(await reason(signer.verify('not-a-token', now))).toBe('malformed');
    expect(await reason(signer.verify('k1.inv.12.<script>', now))).toBe('malformed');
    expect(await reason(signer.verify(token.replace(/^k1/, 'k9'), now))).toBe('unknown-key');
  });

  it("finds no key under an object's own property names (constructor, __proto__, toString…)", async () => {
    const [, invitationId, expiry, mac] = (
      await signer.sign({ invitationId: 'inv123', expiresAt: later })
    ).split('.');
    for (const kid of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(await reason(signer.verify(`${kid}.${invitationId}.${expiry}.${mac}`, now)), kid).toBe(
        'unknown-key',
      );
    }
  });

  it('keeps old links valid across a key rotation while the old key is kept', async () => {
    const old = await signer.sign({ invitationId: 'inv123', expiresAt: later });
    const rotated = new LinkSigner({ activeKeyId: 'k2', keys: { k1: secretA, k2: secretB } });
    expect((await rotated.verify(old, now)).invitationId).toBe('inv123');
    expect(await rotated.sign({ invitationId: 'x', expiresAt: later })).toMatch(/^k2\./);
    const forgedWithOtherKey = await new LinkSigner({
      activeKeyId: 'k1',
      keys: { k1: secretB },
    }).sign({ invitationId: 'inv123', expiresAt: later });
    expect(await reason(signer.verify(forgedWithOtherKey, now))).toBe('bad-signature');
  });

  it('refuses short secrets and a missing active key', () => {
    expect(() => new LinkSigner({ activeKeyId: 'k1', keys: { k1: 'short' } })).toThrowError(
      /shorter than 32 bytes/,
    );
    expect(() => new LinkSigner({ activeKeyId: 'k2', keys: { k1: secretA } })).toThrowError(/"k2"/);
  });
});

describe('signing keys read through a cache', () => {
  /** A secret store whose cached copy goes stale: `load(false)` is the cache, `load(true)` the store. */
  function store(initial: SigningKeys) {
    let stored = initial;
    let cached = initial;
    const reads = { fresh: 0 };
    return {
      reads,
      rotate(next: SigningKeys) {
        stored = next;
      },
      source: {
        load(fresh: boolean) {
          if (fresh) {
            reads.fresh += 1;
            cached = stored;
          }
          return Promise.resolve(cached);
        },
      },
    };
  }

  it('accepts a link signed with a key added since the keys were cached, by reading them again', async () => {
    const secrets = store({ activeKeyId: 'k1', keys: { k1: secretA } });
    let clock = 0;
    const warmAnswerContainer = new LinkSigner(secrets.source, () => clock);
    // the rotation: a fresh dispatcher container signs with the new key at once
    const rotated = { activeKeyId: 'k2', keys: { k1: secretA, k2: secretB } };
    secrets.rotate(rotated);
    const link = await new LinkSigner(rotated).sign({ invitationId: 'inv9', expiresAt: later });
    expect((await warmAnswerContainer.verify(link, now)).invitationId).toBe('inv9');
    expect(secrets.reads.fresh).toBe(1);
    // and knows it from then on, without reading again
    clock += 60_000;
    await warmAnswerContainer.verify(link, now);
    expect(secrets.reads.fresh).toBe(1);
  });

  it('reads the store at most once in 30 seconds for links naming unknown keys (junk floods)', async () => {
    const secrets = store({ activeKeyId: 'k1', keys: { k1: secretA } });
    let clock = 0;
    const signer = new LinkSigner(secrets.source, () => clock);
    const junk = (kid: string) => `${kid}.inv.1900000000.${'A'.repeat(43)}`;
    for (let i = 0; i < 50; i++)
      expect(await reason(signer.verify(junk(`x${i}`), now))).toBe('unknown-key');
    expect(secrets.reads.fresh).toBe(1);
    clock += 30_001;
    await reason(signer.verify(junk('y'), now));
    expect(secrets.reads.fresh).toBe(2);
  });
});
