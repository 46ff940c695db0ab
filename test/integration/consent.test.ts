/**
 * Consent per person: an opt-out or a suppression holds for the address under any customer id,
 * and the table names the address only by a keyed hash.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { contactKey } from '../../lib/store/contact-items.js';
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { fixedConsentKey } from '../../lib/runtime.js';
import { unsubscribe } from '../../lib/usecases/unsubscribe.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { legacySuppressionKey } from '../../lib/store/suppressions.js';
import { event, interaction, testRuntime } from '../support/harness.js';

const occurred = '2026-11-23T10:00:00Z';
const decided = new Date(occurred);
const due = new Date('2026-11-23T12:30:00Z');
const person = () => {
  const id = `c-${randomUUID()}`;
  return { id, email: `${id}@example.com`, name: 'Ada', locale: 'en-GB' };
};

async function scanAll(rt: Awaited<ReturnType<typeof testRuntime>>) {
  const doc = DynamoDBDocumentClient.from(rt.dynamodb);
  const { Items = [] } = await doc.send(new ScanCommand({ TableName: rt.settings.tableName }));
  return Items;
}

describe('consent per person', () => {
  it('honours an unsubscribe for the address under another customer id, in any letter case', async () => {
    const rt = await testRuntime();
    const ada = person();
    const first = await intake(
      rt,
      event(interaction({ occurredAt: occurred, customer: ada })),
      decided,
    );
    expect(first.status).toBe('scheduled');
    const token = await rt.signer.sign(
      { invitationId: first.invitationId, expiresAt: new Date('2026-12-31T00:00:00Z') },
      'unsubscribe',
    );
    await unsubscribe(rt, token, due, { record: true });

    const sameAddress = { ...person(), email: `  ${ada.email.toUpperCase()} ` };
    const again = await intake(
      rt,
      event(interaction({ occurredAt: occurred, customer: sameAddress })),
      decided,
    );
    expect(again).toMatchObject({ status: 'skipped', reason: 'opted-out' });

    // The contact item expires with the rest of their data (its TTL, here by hand): the id's
    // opt-out outlives it, under a new address too.
    await DynamoDBDocumentClient.from(rt.dynamodb).send(
      new DeleteCommand({ TableName: rt.settings.tableName, Key: contactKey(ada.id) }),
    );
    const afterExpiry = await intake(
      rt,
      event(interaction({ occurredAt: occurred, customer: { ...ada, email: `new-${ada.email}` } })),
      decided,
    );
    expect(afterExpiry).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    // and the skip puts no profile back in the directory, so nothing later draws them
    expect((await rt.contacts.get(ada.id)).stored).toBe('none');

    // Stored by keyed hash only: no item's key or attribute holds the address.
    const items = JSON.stringify(await scanAll(rt));
    const optOut = (await scanAll(rt)).find((item) => item.sk === 'ADDRESS');
    expect(optOut).toMatchObject({ optedOutAt: due.toISOString() });
    expect(JSON.stringify(optOut)).not.toContain(ada.id);
    expect(items.match(/DNC#/g)).toHaveLength(2); // the address and the id
  });

  it('names the address by a hash that changes with the key, so a known address cannot be looked up without it', async () => {
    const rt = await testRuntime();
    const other = await testRuntime({
      consentKey: fixedConsentKey('another-key-of-at-least-32-bytes!!'),
    });
    const address = 'ada@example.com';
    expect(await rt.suppressions.ref('address', address)).toBe(
      await rt.suppressions.ref('address', ' ADA@example.com'),
    );
    expect(await rt.suppressions.ref('address', address)).not.toBe(
      await other.suppressions.ref('address', address),
    );
  });

  it('skips an address suppressed under another customer id, and still reads suppressions of the first, unkeyed shape', async () => {
    const rt = await testRuntime();
    const bounced = person();
    await rt.suppressions.suppress(bounced.email, 'bounce', decided);
    const otherId = { ...person(), email: bounced.email };
    expect(await intake(rt, event(interaction({ customer: otherId })), decided)).toMatchObject({
      reason: 'suppressed',
    });

    const legacy = person();
    const doc = DynamoDBDocumentClient.from(rt.dynamodb);
    await doc.send(
      new PutCommand({
        TableName: rt.settings.tableName,
        Item: { ...legacySuppressionKey(legacy.email), reason: 'complaint', at: occurred },
      }),
    );
    expect(await intake(rt, event(interaction({ customer: legacy })), decided)).toMatchObject({
      reason: 'suppressed',
    });
  });

  it('cancels a scheduled survey when the address opts out under another id before it is sent', async () => {
    const rt = await testRuntime();
    const ada = person();
    const scheduled = await intake(
      rt,
      event(interaction({ occurredAt: occurred, customer: ada })),
      decided,
    );
    expect(scheduled.status).toBe('scheduled');
    await rt.suppressions.optOutAddress(ada.email, decided);
    await dispatch(rt, due);
    expect(await rt.invitations.get(scheduled.invitationId)).toMatchObject({
      status: 'cancelled',
      reason: 'opted-out',
    });
  });
  it('cancels a scheduled survey when the id opts out: by its contact item, or by its own record when no item stands for it', async () => {
    const rt = await testRuntime();
    const [unsubscribed, recordOnly] = [person(), person()];
    const scheduled = await Promise.all(
      [unsubscribed, recordOnly].map(async (customer) => {
        const decision = await intake(
          rt,
          event(interaction({ occurredAt: occurred, customer })),
          decided,
        );
        expect(decision.status).toBe('scheduled');
        return decision.invitationId;
      }),
    );
    // as the unsubscribe writes it: the id's record and its contact item (no address record here)
    await rt.suppressions.optOutCustomer(unsubscribed.id, decided);
    await rt.contacts.optOut(unsubscribed.id, decided);
    // the record alone: the contact item gone (expired, say), so the dispatcher reads the record
    await rt.suppressions.optOutCustomer(recordOnly.id, decided);
    expect(await rt.contacts.forget(recordOnly.id)).toBe(1);
    await dispatch(rt, due);
    for (const invitationId of scheduled) {
      expect(await rt.invitations.get(invitationId)).toMatchObject({
        status: 'cancelled',
        reason: 'opted-out',
      });
    }
  });
  it('cancels a scheduled survey when an unsubscribe fails after its first write', async () => {
    const rt = await testRuntime();
    const ada = person();
    const { invitationId } = await intake(
      rt,
      event(interaction({ occurredAt: occurred, customer: ada })),
      decided,
    );
    const token = await rt.signer.sign(
      { invitationId, expiresAt: new Date(due.getTime() + 86_400_000) },
      'unsubscribe',
    );
    // the records' writes fail (throttled past the SDK's retries): the error page asks again
    const throttled = new Error('ProvisionedThroughputExceededException');
    const fail = [
      vi.spyOn(rt.suppressions, 'optOutCustomer').mockRejectedValueOnce(throttled),
      vi.spyOn(rt.suppressions, 'optOutAddress').mockRejectedValueOnce(throttled),
    ];
    try {
      await expect(unsubscribe(rt, token, decided, { record: true })).rejects.toThrow(
        'ProvisionedThroughputExceededException',
      );
    } finally {
      for (const spy of fail) spy.mockRestore();
    }
    await dispatch(rt, due);
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'cancelled',
      reason: 'opted-out',
    });
    // and the next interaction of the id writes the records that outlive the contact item
    expect((await rt.suppressions.customerConsent(ada.id)).optedOutAt).toBeUndefined();
    expect(await rt.suppressions.reasonFor(ada.email)).toBeUndefined();
    const next = await intake(
      rt,
      event(interaction({ occurredAt: '2026-11-24T10:00:00Z', customer: ada })),
      new Date('2026-11-24T10:00:00Z'),
    );
    expect(next).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    expect((await rt.suppressions.customerConsent(ada.id)).optedOutAt).toBe(decided.toISOString());
    expect(await rt.suppressions.reasonFor(ada.email)).toBe('opted-out');
  });
});
