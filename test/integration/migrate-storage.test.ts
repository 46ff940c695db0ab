/**
 * `afterword migrate-storage` on a table filled by the shape before issue 19, against DynamoDB
 * Local: claims in `LEASE`, sent surveys waiting in `EXPIRE`, a settled survey left in `DUE` by an
 * older version's send. The items are made by today's flows and their outbox entries then put
 * where the old code put them, key for key.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { rollupDay } from '../../lib/usecases/rollup.js';
import {
  countingMigration,
  CountingNotReadyError,
  migrateStorage,
} from '../../lib/usecases/migrate-storage.js';
import { LegacyOutbox } from '../../lib/store/legacy-outbox.js';
import {
  dayKeys,
  IN_COUNTERS,
  invitationKey,
  queueKeys,
  type WorkQueue,
} from '../../lib/store/invitation-items.js';
import { DayIndex } from '../../lib/store/day-index.js';
import { COVERAGE_KEY } from '../../lib/store/table.js';
import { INDEX } from '../../lib/store/table.js';
import { legacyContactKey } from '../../lib/store/contact-items.js';
import { legacySuppressionKey } from '../../lib/store/suppressions.js';
import { createRuntime } from '../../lib/runtime.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { event, interaction, testRuntime } from '../support/harness.js';

const day = '2026-11-23';
const at = (iso: string) => new Date(iso);

async function oldShape() {
  const rt = await testRuntime();
  const doc = DynamoDBDocumentClient.from(rt.dynamodb);
  const table = rt.settings.tableName;
  /** Puts an invitation's outbox entry where the old code kept it. */
  const entryIn = async (invitationId: string, queue: WorkQueue, when: string) =>
    doc.send(
      new UpdateCommand({
        TableName: table,
        Key: invitationKey(invitationId),
        UpdateExpression: 'SET #opk = :opk, #osk = :osk',
        ExpressionAttributeNames: { '#opk': INDEX.outbox.pk, '#osk': INDEX.outbox.sk },
        ExpressionAttributeValues: (() => {
          const keys = queueKeys(queue, invitationId, when);
          return { ':opk': keys[INDEX.outbox.pk], ':osk': keys[INDEX.outbox.sk] };
        })(),
      }),
    );
  const entryOf = async (invitationId: string) => {
    const { Item } = await doc.send(
      new GetCommand({ TableName: table, Key: invitationKey(invitationId), ConsistentRead: true }),
    );
    return Item && { pk: Item[INDEX.outbox.pk] as unknown, sk: Item[INDEX.outbox.sk] as unknown };
  };
  const decide = async (hour: number) => {
    const occurredAt = `${day}T${String(hour).padStart(2, '0')}:00:00Z`;
    const who = `c-${randomUUID()}`;
    const detail = interaction({
      occurredAt,
      customer: { id: who, email: `${who}@example.com`, name: 'Ada', locale: 'en-GB' },
    });
    return (await intake(rt, event(detail), at(occurredAt))).invitationId;
  };

  // A claim the old dispatcher held when it was replaced (its lease ends at 10:40).
  const claimed = await decide(10);
  expect(await rt.outbox.claim(claimed, at(`${day}T10:40:00Z`))).toBeDefined();
  await entryIn(claimed, 'LEASE', `${day}T10:40:00Z`);
  // A sent survey waiting in EXPIRE for its link to close.
  const sent = await decide(11);
  await dispatch(rt, at(`${day}T11:31:00Z`));
  const { expiresAt } = (await rt.invitations.get(sent))!;
  await entryIn(sent, 'EXPIRE', expiresAt!);
  // Decided before the stream's counters: the old shape wrote no inCounters mark, and kept the
  // invitation in the byDay index (rollup attributes projected), not the keys-only one.
  const { sendAt } = (await rt.invitations.get(sent))!;
  const old = dayKeys(sent, sendAt!, undefined);
  await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: invitationKey(sent),
      UpdateExpression: 'REMOVE #counted, #ipk, #isk SET #dpk = :dpk, #dsk = :dsk',
      ExpressionAttributeNames: {
        '#counted': IN_COUNTERS,
        '#ipk': INDEX.invitationsByDay.pk,
        '#isk': INDEX.invitationsByDay.sk,
        '#dpk': INDEX.byDay.pk,
        '#dsk': INDEX.byDay.sk,
      },
      ExpressionAttributeValues: { ':dpk': old[INDEX.byDay.pk], ':dsk': old[INDEX.byDay.sk] },
    }),
  );
  return { rt, doc, claimed, sent, expiresAt: expiresAt!, entryIn, entryOf, decide };
}

describe('afterword migrate-storage', () => {
  it('moves the old LEASE and EXPIRE entries, once, and the dispatcher then settles them as its own', async () => {
    const { rt, doc, claimed, sent, expiresAt, entryOf } = await oldShape();
    const legacy = new LegacyOutbox(doc, rt.settings.tableName);
    // Before: today's dispatcher reads neither queue, so the abandoned claim would stay `sending`.
    expect(await legacy.entries('LEASE', 10)).toEqual([
      { invitationId: claimed, at: `${day}T10:40:00Z` },
    ]);
    expect((await dispatch(rt, at(`${day}T10:45:00Z`))).unknown).toBe(0);

    const progress: number[] = [];
    // A deployed table records no coverage until the migration does (a local one at creation).
    await doc.send(new DeleteCommand({ TableName: rt.settings.tableName, Key: COVERAGE_KEY }));
    expect(await rt.counters.coverage()).toBeUndefined();
    // The counters' part as the CLI builds it, the night after the day.
    const counting = countingMigration(
      rt,
      new DayIndex(doc, rt.settings.tableName),
      at('2026-11-24T01:00:00Z'),
    );
    expect(counting.coverage).toEqual({ since: '2026-11-07', timeZone: rt.config.timeZone });
    expect(counting.start < at(`${day}T00:00:00Z`)).toBe(true);
    // Before: the survey decided before the counters is counted nowhere.
    expect((await rollupDay(rt, day, at(`${day}T12:00:00Z`))).some((r) => r.sent > 0)).toBe(false);
    expect(
      await migrateStorage(
        legacy,
        (sofar) => progress.push(sofar.leasesToDue + sofar.expiriesDropped),
        counting,
      ),
    ).toEqual({
      leasesToDue: 1,
      expiriesDropped: 1,
      alreadyMoved: 0,
      markedForCounting: 1,
      countersSince: '2026-11-07',
    });
    expect(await rt.counters.coverage()).toEqual(counting.coverage);
    expect(progress.at(-1)).toBe(2);
    expect(await entryOf(claimed)).toEqual({
      pk: queueKeys('DUE', claimed, `${day}T10:40:00Z`)[INDEX.outbox.pk],
      sk: `${day}T10:40:00Z#${claimed}`,
    });
    expect(await entryOf(sent)).toEqual({ pk: undefined, sk: undefined });

    // Idempotent: a second run finds nothing left to move, or to mark.
    expect(await migrateStorage(legacy, undefined, counting)).toEqual({
      leasesToDue: 0,
      expiriesDropped: 0,
      alreadyMoved: 0,
      markedForCounting: 0,
      countersSince: '2026-11-07',
    });

    // The claim's lease has run out: the next tick finds it in DUE and marks it unknown (at most
    // once: it is not sent), and it leaves the outbox.
    const tick = await dispatch(rt, at(`${day}T10:46:00Z`));
    expect(tick).toMatchObject({ unknown: 1, sent: 0 });
    expect(await rt.invitations.get(claimed)).toMatchObject({
      status: 'unknown',
      reason: 'lease-expired',
    });
    expect(await entryOf(claimed)).toEqual({ pk: undefined, sk: undefined });

    // The sent survey is still sent; once its link closes (and its send hour's links all have)
    // the rollup counts it expired.
    expect(await rt.invitations.get(sent)).toMatchObject({ status: 'sent' });
    const asOf = new Date(Date.parse(expiresAt) + 3_600_000);
    const [row] = (await rollupDay(rt, day, asOf)).filter((r) => r.sent > 0);
    expect(row).toMatchObject({ sent: 1, expired: 1, unknown: 1 });
  });

  it('marks nothing, and moves nothing, while the table has no stream to count the marks', async () => {
    const { rt, doc, claimed } = await oldShape();
    const legacy = new LegacyOutbox(doc, rt.settings.tableName);
    const counting = {
      ...countingMigration(rt, new DayIndex(doc, rt.settings.tableName), at(`${day}T13:00:00Z`)),
      streamReady: () => Promise.resolve(false),
    };
    await expect(migrateStorage(legacy, undefined, counting)).rejects.toThrow(
      new CountingNotReadyError(
        "the table's stream is off: deploy this version first (its stream feeds the counters); nothing was changed",
      ),
    );
    expect(await legacy.entries('LEASE', 10)).toEqual([
      { invitationId: claimed, at: `${day}T10:40:00Z` },
    ]);
    // and the real check sees the stream the table has
    expect(await rt.counters.streamReady()).toBe(true);
  });

  it('goes on with what is left after a run that stopped part-way', async () => {
    const { rt, doc, claimed, sent, decide, entryIn } = await oldShape();
    const more = await decide(12);
    await rt.outbox.claim(more, at(`${day}T12:40:00Z`));
    await entryIn(more, 'LEASE', `${day}T12:40:00Z`);
    const legacy = new LegacyOutbox(doc, rt.settings.tableName);
    // The first run moved one claim, then died.
    expect(await legacy.leaseToDue({ invitationId: claimed, at: `${day}T10:40:00Z` })).toBe(true);
    expect(await migrateStorage(legacy)).toEqual({
      leasesToDue: 1,
      expiriesDropped: 1,
      alreadyMoved: 0,
      markedForCounting: 0,
    });
    // Moving an entry that has moved on changes nothing.
    expect(await legacy.dropExpiry({ invitationId: sent, at: 'any' })).toBe(false);
    expect(await legacy.leaseToDue({ invitationId: more, at: `${day}T12:40:00Z` })).toBe(false);
  });

  it('takes a settled survey that an older version left in DUE out of it, so no tick reads it again', async () => {
    const { rt, sent, entryIn, entryOf } = await oldShape();
    await entryIn(sent, 'DUE', `${day}T11:30:00Z`);
    const tick = await dispatch(rt, at(`${day}T11:50:00Z`));
    expect(tick).toMatchObject({ sent: 0, lostRaces: 1 });
    expect(await entryOf(sent)).toEqual({ pk: undefined, sk: undefined });
    expect((await dispatch(rt, at(`${day}T11:51:00Z`))).lostRaces).toBe(0);
  });

  it('counts the first key shapes nightly, and the stores stop reading them once none are left', async () => {
    const rt = await testRuntime();
    const doc = DynamoDBDocumentClient.from(rt.dynamodb);
    const table = rt.settings.tableName;
    const customerId = `c-${randomUUID()}`;
    const address = `${customerId}@example.com`;
    // what the first shapes held: a contact claimed yesterday, a bounced address
    const contactItem = {
      ...legacyContactKey(customerId),
      version: 3,
      lastInvitedAt: '2026-11-22T10:00:00.000Z',
    };
    const suppressionItem = {
      ...legacySuppressionKey(address),
      reason: 'bounce',
      at: '2026-11-01T00:00:00Z',
    };
    await doc.send(new PutCommand({ TableName: table, Item: contactItem }));
    await doc.send(new PutCommand({ TableName: table, Item: suppressionItem }));
    const night = (iso: string) => rt.legacyShapes.countIfDue(at(iso));

    // Still held: counted, recorded, and still read.
    expect(await night('2026-11-24T02:30:00Z')).toBe(2);
    const container = () => createRuntime({ ...rt.settings });
    expect((await container().contacts.get(customerId)).lastInvitedAt).toBe(
      contactItem.lastInvitedAt,
    );
    expect(await container().suppressions.reasonFor(address)).toBe('bounce');

    // Gone (expired, erased): the next nights skip the count until a week has passed.
    await doc.send(new DeleteCommand({ TableName: table, Key: legacyContactKey(customerId) }));
    await doc.send(new DeleteCommand({ TableName: table, Key: legacySuppressionKey(address) }));
    expect(await night('2026-11-25T02:30:00Z')).toBe('counted-recently');
    expect(await night('2026-12-01T02:30:00Z')).toBe(0);
    // and no later night scans again: nothing writes those shapes any more
    expect(await night('2026-12-30T02:30:00Z')).toBe('none-left');
    // A container started now reads neither shape: the same items, put back where no version
    // would write them, are not seen.
    await doc.send(new PutCommand({ TableName: table, Item: contactItem }));
    await doc.send(new PutCommand({ TableName: table, Item: suppressionItem }));
    const fresh = container();
    expect((await fresh.contacts.get(customerId)).lastInvitedAt).toBeUndefined();
    expect(await fresh.suppressions.reasonFor(address)).toBeUndefined();
  });
});
