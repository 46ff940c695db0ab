/**
 * The customer directory on DynamoDB Local: the profile each interaction shows, kept on the
 * contact item (written with the claim, or on its own at most daily), items of the first key shape
 * moved with their history, and the CSV import (every bad row named, then nothing written).
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  contactKey,
  legacyContactKey,
  type DirectoryEntry,
} from '../../lib/store/contact-items.js';
import { intake } from '../../lib/usecases/intake.js';
import {
  ImportFileError,
  importCustomers,
  parseCustomersCsv,
} from '../../lib/usecases/customers-import.js';
import { RequestUnitMeter } from '../bench/request-units.js';
import {
  event,
  interaction,
  testRuntime,
  withConfig,
  type TestRuntime,
} from '../support/harness.js';
import { inject } from 'vitest';

async function directoryOf(rt: TestRuntime): Promise<Map<string, DirectoryEntry>> {
  const entries = new Map<string, DirectoryEntry>();
  await rt.contacts.forEachInDirectory((page) => {
    for (const entry of page) entries.set(entry.customerId, entry);
  });
  return entries;
}

describe('the customer directory', () => {
  it('keeps the latest profile of each customer seen, the last-seen day moving forward only', async () => {
    const rt = await testRuntime();
    const first = interaction({ occurredAt: '2026-11-20T10:00:00Z' });
    await intake(rt, event(first), new Date('2026-11-20T10:00:01Z'));
    expect((await directoryOf(rt)).get(first.customer.id)).toEqual({
      customerId: first.customer.id,
      email: first.customer.email,
      locale: 'en-GB',
      segment: 'smb',
      seenOn: '2026-11-20',
      optedOutAt: undefined,
    });
    // Later, on a touchpoint without a program (skipped), in another segment and zone.
    const later = interaction({
      occurredAt: '2026-11-25T10:00:00Z',
      touchpoint: 'warehouse-visit',
      customer: { ...first.customer, segment: 'enterprise', timeZone: 'Europe/Berlin' },
    });
    expect(await intake(rt, event(later), new Date('2026-11-25T10:00:01Z'))).toMatchObject({
      reason: 'no-program',
    });
    // A late event of an earlier day: the fields it knows are newer news; the day is not.
    const replayed = interaction({
      occurredAt: '2026-11-22T10:00:00Z',
      touchpoint: 'warehouse-visit',
      customer: { ...first.customer, segment: 'enterprise', timeZone: 'Europe/Berlin' },
    });
    await intake(rt, event(replayed), new Date('2026-11-25T11:00:00Z'));
    expect((await directoryOf(rt)).get(first.customer.id)).toMatchObject({
      segment: 'enterprise',
      timeZone: 'Europe/Berlin',
      seenOn: '2026-11-25',
    });
    // The contact history the claim wrote is still there (the profile update left it alone).
    const contact = await rt.contacts.get(first.customer.id);
    expect(contact.programLast['support-call']).toBe('2026-11-20T10:00:00.000Z');
    // No address, no directory entry: nobody to survey.
    const anonymous = interaction({ customer: { id: 'no-address' } });
    await intake(rt, event(anonymous), new Date('2026-11-23T10:00:00Z'));
    expect((await directoryOf(rt)).has('no-address')).toBe(false);
  });

  it('writes a skipped customer only on a change, or once the last-seen day is a week stale', async () => {
    const rt = await testRuntime();
    const writes: string[] = [];
    const record = rt.contacts.recordProfile.bind(rt.contacts);
    rt.contacts.recordProfile = async (customerId, read, profile) => {
      writes.push(`${profile.seenOn} ${profile.segment}`);
      return record(customerId, read, profile);
    };
    const customer = interaction().customer;
    const on = (at: string, segment = 'smb') =>
      intake(
        rt,
        event(
          interaction({
            occurredAt: at,
            touchpoint: 'warehouse-visit',
            customer: { ...customer, segment },
          }),
        ),
        new Date(at),
      );
    await on('2026-11-23T08:00:00Z');
    await on('2026-11-23T12:00:00Z');
    await on('2026-11-23T16:00:00Z');
    await on('2026-11-23T17:00:00Z', 'enterprise');
    await on('2026-11-24T08:00:00Z', 'enterprise');
    await on('2026-11-29T09:00:00Z', 'enterprise');
    await on('2026-11-30T09:00:00Z', 'enterprise');
    await on('2026-11-30T10:00:00Z', 'enterprise');
    expect(writes).toEqual(['2026-11-23 smb', '2026-11-23 enterprise', '2026-11-30 enterprise']);
  });

  it('costs at most 0.2 extra write units per interaction on a realistic mix (request-unit meter)', async () => {
    // Half the interactions are on a touchpoint without a program (skipped before any claim);
    // customers come back several times over three days, as customers do.
    const rt = await testRuntime({
      config: withConfig((config) => config.programs.forEach((p) => delete p.sendWindow)),
    });
    const meter = new RequestUnitMeter(inject('dynamodbEndpoint'));
    meter.attach(rt.dynamodb);
    const record = rt.contacts.recordProfile.bind(rt.contacts);
    rt.contacts.recordProfile = async (...args) => {
      const stage = meter.stage;
      meter.stage = 'profile';
      try {
        return await record(...args);
      } finally {
        meter.stage = stage;
      }
    };
    meter.stage = 'intake';
    const customers = Array.from({ length: 10 }, () => interaction().customer);
    let interactions = 0;
    for (const day of ['2026-11-23', '2026-11-24', '2026-11-25']) {
      for (const [i, customer] of customers.entries()) {
        for (const hour of [9, 11, 15]) {
          const at = `${day}T${String(hour).padStart(2, '0')}:00:00Z`;
          await intake(
            rt,
            event(
              interaction({
                occurredAt: at,
                touchpoint: (i + hour) % 2 ? 'warehouse-visit' : 'support-call',
                customer,
              }),
            ),
            new Date(at),
          );
          interactions += 1;
        }
      }
    }
    meter.destroy();
    const totals = meter.totals();
    const extra = (totals.profile?.writeUnits ?? 0) / interactions;
    expect(interactions).toBe(90);
    expect(extra).toBeGreaterThan(0); // the skipped customers' days were written
    expect(extra).toBeLessThanOrEqual(0.2);
    // A claim that carries the profile still fits in one write unit per KB, as before.
    const claims = meter.operations.filter(
      (op) =>
        op.stage === 'intake' &&
        op.operation === 'PutItem' &&
        !Object.keys(op.indexWriteUnits ?? {}).length,
    );
    expect(claims.length).toBeGreaterThan(0);
    for (const claim of claims) expect(claim.writeUnits).toBe(1);
  });

  it('reads a contact item of the first key shape, and moves it with its history and opt-out', async () => {
    const rt = await testRuntime();
    const doc = DynamoDBDocumentClient.from(rt.dynamodb);
    const put = (customerId: string, item: Record<string, unknown>) =>
      doc.send(
        new PutCommand({
          TableName: rt.settings.tableName,
          Item: { ...legacyContactKey(customerId), ...item },
        }),
      );
    // Surveyed a week ago under the old shape: the 30-day cool-down still holds.
    const recent = interaction({ occurredAt: '2026-11-23T10:00:00Z' });
    await put(recent.customer.id, {
      version: 3,
      lastInvitedAt: '2026-11-16T10:00:00.000Z',
      lastInteractionId: 'crm#old',
      programLast: { 'support-call': '2026-11-16T10:00:00.000Z' },
      recent: ['2026-11-16T10:00:00.000Z'],
    });
    expect(await intake(rt, event(recent), new Date('2026-11-23T10:00:01Z'))).toMatchObject({
      reason: 'cool-down',
    });
    // The skip wrote the profile, and with it moved the history to the current key.
    const moved = await rt.contacts.get(recent.customer.id);
    expect(moved).toMatchObject({
      stored: 'current',
      version: 3,
      lastInvitedAt: '2026-11-16T10:00:00.000Z',
      profile: { email: recent.customer.email, seenOn: '2026-11-23' },
    });
    // Opted out under the old shape: still opted out, never claimed.
    const optedOut = interaction();
    await put(optedOut.customer.id, {
      version: 1,
      programLast: {},
      recent: [],
      optedOutAt: '2026-10-01T00:00:00.000Z',
    });
    expect(await intake(rt, event(optedOut), new Date('2026-11-23T10:00:01Z'))).toMatchObject({
      reason: 'opted-out',
    });
    expect((await rt.contacts.get(optedOut.customer.id)).optedOutAt).toBe(
      '2026-10-01T00:00:00.000Z',
    );
    // Old history without a recent survey: the claim creates the current item from it.
    const returning = interaction({ occurredAt: '2026-11-23T10:00:00Z' });
    await put(returning.customer.id, {
      version: 7,
      lastInvitedAt: '2026-06-01T10:00:00.000Z',
      programLast: { 'support-call': '2026-06-01T10:00:00.000Z' },
      recent: [],
    });
    expect(await intake(rt, event(returning), new Date('2026-11-23T10:00:01Z'))).toMatchObject({
      status: 'scheduled',
    });
    expect(await rt.contacts.get(returning.customer.id)).toMatchObject({
      stored: 'current',
      version: 8,
      lastInvitedAt: '2026-11-23T10:00:00.000Z',
    });
  });
});

describe('what the directory keeps, and for how long', () => {
  it('expires a profile with the retention after the last sighting, and keeps nothing personal of an opt-out', async () => {
    const rt = await testRuntime();
    const doc = DynamoDBDocumentClient.from(rt.dynamodb);
    const seen = interaction({ occurredAt: '2026-11-20T10:00:00Z' });
    await intake(rt, event(seen), new Date('2026-11-20T10:00:01Z'));
    const itemOf = async (customerId: string) =>
      (
        await doc.send(
          new GetCommand({ TableName: rt.settings.tableName, Key: contactKey(customerId) }),
        )
      ).Item!;
    expect((await itemOf(seen.customer.id)).expireAt).toBe(
      Date.parse('2026-11-20') / 1000 + rt.config.dataRetentionDays * 86_400,
    );
    await rt.contacts.optOut(seen.customer.id, new Date('2026-11-21T00:00:00Z'));
    const optedOut = await itemOf(seen.customer.id);
    expect(optedOut.optedOutAt).toBe('2026-11-21T00:00:00.000Z');
    for (const gone of ['email', 'locale', 'segment', 'timeZone']) {
      expect(optedOut[gone], gone).toBeUndefined();
    }
    // The item expires with the rest of their data; the opt-out outlives it as keyed hashes.
    expect(optedOut.expireAt).toBe(
      Date.parse('2026-11-21') / 1000 + rt.config.dataRetentionDays * 86_400,
    );
    // Seen again: skipped, and the address is not written back.
    const again = interaction({
      occurredAt: '2026-12-01T10:00:00Z',
      touchpoint: 'warehouse-visit',
      customer: { ...seen.customer, segment: 'enterprise' },
    });
    await intake(rt, event(again), new Date('2026-12-01T10:00:01Z'));
    expect((await itemOf(seen.customer.id)).email).toBeUndefined();
    const entry = (await directoryOf(rt)).get(seen.customer.id)!;
    expect(entry.optedOutAt).toBe('2026-11-21T00:00:00.000Z');
    expect(entry.email).toBeUndefined();
  });
});

describe('importing customers from a CSV file', () => {
  const today = '2026-12-04';

  it('names every bad row by line and column, and then imports nothing', async () => {
    const rt = await testRuntime();
    const file = [
      'customerId,email,locale,timeZone,segment,lastSeen',
      'c-1,ada@example.com,en-GB,Europe/London,smb,2026-11-30',
      'c-2,not-an-address,en-GB,,smb,',
      'c-3,grace@example.com,english,Mars/Base,big deal,2026-02-30',
      'c-1,ada2@example.com,,,,',
      ',nobody@example.com,,,,',
      'c-5,alan@example.com,,,,2027-01-01',
    ].join('\n');
    let error: ImportFileError | undefined;
    try {
      parseCustomersCsv(file, 'customers.csv', today);
    } catch (e) {
      error = e as ImportFileError;
    }
    expect(error).toBeInstanceOf(ImportFileError);
    expect(error!.problems).toEqual([
      'line 3, email: must be an email address',
      'line 4, locale: must be a BCP 47 tag such as "en-GB"',
      'line 4, timeZone: must be an IANA time zone such as "Europe/London"',
      'line 4, segment: must be letters, digits, ".", "_" or "-"',
      'line 4, lastSeen: must be a date YYYY-MM-DD',
      'line 5, customerId: "c-1" is also on line 2',
      'line 6, customerId: is required',
      'line 7, lastSeen: 2027-01-01 is in the future',
    ]);
    expect(error!.message).toMatch(/^customers\.csv: nothing imported, 8 problems:/);
    expect((await directoryOf(rt)).size).toBe(0);
    expect(() => parseCustomersCsv('id,mail\nc-1,a@b.c', 'x.csv', today)).toThrow(
      /line 1: the header has no "customerId" column/,
    );
    expect(() => parseCustomersCsv('customerId,email\n"c-1,a@b.c', 'x.csv', today)).toThrow(
      ImportFileError,
    );
  });

  it('adds and updates profiles, and a second run of the same file writes nothing', async () => {
    const rt = await testRuntime();
    const seen = interaction({ occurredAt: '2026-12-01T10:00:00Z' });
    await intake(rt, event(seen), new Date('2026-12-01T10:00:01Z'));
    const file = [
      '\ufeffcustomerId,email,segment,lastSeen',
      `${seen.customer.id},${seen.customer.email},enterprise,2026-11-15`,
      'crm-1,"Ada Lovelace <ada@example.com>",smb,2026-11-30',
      'crm-2,grace@example.com,,',
    ].join('\r\n');
    const bad = parseCustomersCsv.bind(null, file, 'crm.csv', today);
    expect(bad).toThrow(/line 3, email: must be an email address/);
    const customers = parseCustomersCsv(
      file.replace('"Ada Lovelace <ada@example.com>"', 'ada@example.com'),
      'crm.csv',
      today,
    );
    expect(await importCustomers(rt, customers)).toEqual({
      rows: 3,
      added: 2,
      updated: 1,
      unchanged: 0,
    });
    const directory = await directoryOf(rt);
    // The import's segment is newer news; its older last-seen day does not move the day back.
    expect(directory.get(seen.customer.id)).toMatchObject({
      segment: 'enterprise',
      seenOn: '2026-12-01',
      locale: 'en-GB',
    });
    expect(directory.get('crm-1')).toMatchObject({
      email: 'ada@example.com',
      seenOn: '2026-11-30',
    });
    // No last-seen day in the file: known as of the import.
    expect(directory.get('crm-2')).toEqual({
      customerId: 'crm-2',
      email: 'grace@example.com',
      seenOn: today,
      optedOutAt: undefined,
    });
    expect(await importCustomers(rt, customers)).toEqual({
      rows: 3,
      added: 0,
      updated: 0,
      unchanged: 3,
    });
  });
});
