/**
 * Privacy (issue 17). Erasure: a customer with interactions across programs, answers with
 * comments, a follow-up case and an opt-out is forgotten; nothing in the table or the exports names
 * them any more, the reported numbers do not move, their opt-out still holds, and a crash half-way
 * through finishes on retry with the same counts. Retention: every kind of item that holds personal
 * data expires. Logs: a whole journey writes no address, name, comment or customer id.
 */
import { ScanCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createErasureHandler } from '../../lib/handlers/erasure.js';
import { createFollowUpHandler } from '../../lib/handlers/follow-up.js';
import { CUSTOMER_ERASED } from '../../lib/contracts/erasure.js';
import { SURVEY_FOLLOW_UP_REQUESTED } from '../../lib/contracts/survey-events.js';
import { InvalidEventError } from '../../lib/domain/errors.js';
import { unsubscribe } from '../../lib/usecases/unsubscribe.js';
import { createFeedbackHandler } from '../../lib/handlers/feedback.js';
import { sendDigest } from '../../lib/usecases/digest.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { report } from '../../lib/usecases/report.js';
import { customerRecord } from '../../lib/usecases/access.js';
import { rollup } from '../../lib/usecases/rollup.js';
import { createWebApp } from '../../lib/web/app.js';
import { captureLog } from '../support/log-capture.js';
import {
  emailsTo,
  event,
  interaction,
  scoreLinks,
  testRuntime,
  withConfig,
  type TestRuntime,
} from '../support/harness.js';

const at = (iso: string) => new Date(iso);
/** When the erasures run: the day after the seeded journey. */
const ERASED_AT = at('2026-11-21T12:00:00Z');

async function everything(rt: TestRuntime, exportsDir: string): Promise<string> {
  const doc = DynamoDBDocumentClient.from(rt.dynamodb);
  const items: unknown[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: rt.settings.tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const files = readdirSync(exportsDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  return (
    JSON.stringify(items, (_, value: unknown) =>
      value instanceof Set ? [...(value as Set<unknown>)] : value,
    ) + files.join('\n')
  );
}

/** A customer surveyed twice (two programs), answering low with comments, a case, an opt-out. */
async function seed(rt: TestRuntime, { optOut = true }: { optOut?: boolean } = {}) {
  const unique = randomUUID().slice(0, 8);
  const customer = {
    id: `erase-me-${unique}`,
    email: `Grace.Hopper.${unique}@Example.com`,
    name: `Grace Hopper ${unique}`,
    locale: 'en-GB',
    segment: 'smb',
  };
  const comments = [`The agent was rude ${unique}`, `Parcel left in the rain ${unique}`];
  const app = createWebApp(rt, { now: () => at('2026-11-20T18:00:00Z') });
  const post = (path: string, body: Record<string, string>) =>
    app.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://127.0.0.1:3999',
      },
      body: new URLSearchParams(body).toString(),
    });
  const support = await intake(
    rt,
    event(interaction({ occurredAt: '2026-11-20T10:00:00Z', customer })),
    at('2026-11-20T10:00:00Z'),
  );
  const order = await intake(
    rt,
    event(
      interaction({
        occurredAt: '2026-11-20T11:00:00Z',
        touchpoint: 'order-delivered',
        channel: 'web',
        customer,
        attributes: { orderNote: `leave with ${customer.name}` },
      }),
    ),
    at('2026-11-20T11:00:00Z'),
  );
  expect([support.status, order.status]).toEqual(['scheduled', 'scheduled']);
  await dispatch(rt, at('2026-11-20T17:00:00Z'));
  const emails = await emailsTo(customer.email);
  expect(emails).toHaveLength(2);
  for (const [i, email] of emails.entries()) {
    const path = new URL(scoreLinks(email).get(2)!).pathname;
    const response = await post(path, { score: '2', comment: comments[i]!, followUp: 'on' });
    expect(response.status).toBe(200);
  }
  // The support answer's follow-up request opens a case for its owner.
  const requests = rt.published.events.filter(
    (e) =>
      e.detailType === SURVEY_FOLLOW_UP_REQUESTED &&
      (e.detail as { invitationId: string }).invitationId === support.invitationId,
  );
  expect(requests).toHaveLength(1);
  const followUp = createFollowUpHandler(rt, () => at('2026-11-20T18:01:00Z'));
  expect(
    await followUp({ 'detail-type': requests[0]!.detailType, detail: requests[0]!.detail }),
  ).toBe('opened');
  // And opts out, from the order survey's email.
  const unsubscribeToken = await rt.signer.sign(
    { invitationId: order.invitationId, expiresAt: at('2026-12-31T00:00:00Z') },
    'unsubscribe',
  );
  if (optOut) await unsubscribe(rt, unsubscribeToken, at('2026-11-20T18:05:00Z'), { record: true });
  return {
    customer,
    comments,
    invitations: [support.invitationId, order.invitationId],
    unsubscribeToken,
  };
}

async function erasureRuntime() {
  const exportsDir = mkdtempSync(join(tmpdir(), 'afterword-erasure-'));
  const rt = await testRuntime({
    exports: { dir: exportsDir },
    config: withConfig((config) => {
      for (const program of config.programs) program.sendWindow = undefined;
      config.contactRules.globalCoolDown = 'PT1M'; // both programs ask the same customer
    }),
  });
  return { rt, exportsDir };
}

const readReport = (rt: TestRuntime) => report(rt, { from: '2026-11-20', to: '2026-11-20' });

describe('erasure of a customer', () => {
  it('leaves nothing that names them, keeps the numbers and their opt-out', async () => {
    const { rt, exportsDir } = await erasureRuntime();
    const { customer, comments } = await seed(rt);
    await rollup(rt, { now: at('2026-11-21T02:30:00Z'), days: 2 });
    const before = await readReport(rt);
    expect(before.length).toBeGreaterThan(0);
    const stored = await everything(rt, exportsDir);
    expect(stored).toContain(customer.id); // the scan can see them before
    expect(readdirSync(join(exportsDir, 'rollups'))).not.toHaveLength(0);

    // The access request before: everything stored about them, comments and the case included.
    const access = await customerRecord(rt, customer.id, at('2026-11-21T09:00:00Z'));
    expect(access.profile?.email).toBeUndefined(); // removed when they opted out
    expect(access.contact.optedOutAt).toBe('2026-11-20T18:05:00.000Z');
    expect(access.invitations.map((i) => i.comment).sort()).toEqual([...comments].sort());
    expect(access.invitations.map((i) => i.email)).toEqual([customer.email, customer.email]);
    expect(access.cases).toHaveLength(1);
    expect(access.timeline.filter((entry) => entry.kind === 'answered')).toHaveLength(2);

    const erase = createErasureHandler(rt, () => ERASED_AT);
    const result = await erase({
      detail: { version: '1', requestId: `req-${randomUUID()}`, email: customer.email },
    });
    expect(result.counts).toEqual({
      customers: 1,
      invitations: 2,
      cases: 1,
      contacts: 1,
      optOutsKept: 1,
    });
    const announced = rt.published.events.filter((e) => e.detailType === CUSTOMER_ERASED);
    expect(announced.map((e) => e.detail)).toEqual([result]);

    // An interaction from before the erasure, delivered late (a retry, a redrive), is recorded
    // without anything that names them.
    const late = await intake(
      rt,
      event(interaction({ occurredAt: '2026-11-20T12:00:00Z', customer })),
      at('2026-11-21T10:00:00Z'),
    );
    expect(late).toMatchObject({ status: 'skipped', reason: 'erased' });
    expect((await rt.invitations.get(late.invitationId))?.customerId).toBe('(erased)');

    const after = await everything(rt, exportsDir);
    for (const secret of [
      customer.id,
      customer.email,
      customer.email.toLowerCase(),
      customer.name,
      ...comments,
    ]) {
      expect(after, secret).not.toContain(secret);
    }
    // The access request after: nothing.
    const accessAfter = await customerRecord(rt, customer.id, at('2026-11-21T09:00:00Z'));
    expect(accessAfter).toMatchObject({ profile: null, invitations: [], cases: [], timeline: [] });
    // Recomputed from the scrubbed items, the numbers are those reported before.
    await rollup(rt, { now: at('2026-11-21T02:30:00Z'), days: 2 });
    expect(await readReport(rt)).toEqual(before);

    // Not contacted again: the address under a new id, and the id with a new address.
    const again = await intake(
      rt,
      event(
        interaction({
          occurredAt: '2026-11-25T10:00:00Z',
          customer: { ...customer, id: `new-${randomUUID()}` },
        }),
      ),
      at('2026-11-25T10:00:00Z'),
    );
    expect(again).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    const sameId = await intake(
      rt,
      event(
        interaction({
          occurredAt: '2026-11-25T10:00:00Z',
          customer: { ...customer, email: `new-${randomUUID()}@example.com` },
        }),
      ),
      at('2026-11-25T10:00:00Z'),
    );
    expect(sameId).toMatchObject({ status: 'skipped', reason: 'opted-out' });

    // A survey link from an old email now finds nothing to answer.
    const [email] = await emailsTo(customer.email);
    const page = await createWebApp(rt, { now: () => at('2026-11-21T09:00:00Z') }).request(
      new URL(scoreLinks(email!).get(1)!).pathname,
    );
    expect(page.status).toBe(404);
  });

  it('finishes on retry after a crash half-way, with the same counts, once', async () => {
    const { rt, exportsDir } = await erasureRuntime();
    const { customer, comments } = await seed(rt);
    const requestId = `req-${randomUUID()}`;
    const erase = createErasureHandler(rt, () => ERASED_AT);
    const real = rt.invitations.erase.bind(rt.invitations);
    const crash = vi
      .spyOn(rt.invitations, 'erase')
      .mockImplementationOnce(real)
      .mockRejectedValueOnce(new Error('Lambda timed out'));
    await expect(
      erase({ detail: { version: '1', requestId, customerId: customer.id } }),
    ).rejects.toThrow('Lambda timed out');
    expect(crash).toHaveBeenCalledTimes(2);
    crash.mockRestore();
    const half = await everything(rt, exportsDir);
    expect(half).toContain(customer.id); // the contact item and the second invitation remain

    const retried = await erase({ detail: { version: '1', requestId, customerId: customer.id } });
    expect(retried.counts).toEqual({
      customers: 1,
      invitations: 2,
      cases: 1,
      contacts: 1,
      optOutsKept: 1,
    });
    // A redelivery of the same request reports the same, and changes nothing.
    const redelivered = await erase({
      detail: { version: '1', requestId, customerId: customer.id },
    });
    expect(redelivered).toEqual(retried);
    const after = await everything(rt, exportsDir);
    for (const secret of [customer.id, customer.email.toLowerCase(), customer.name, ...comments]) {
      expect(after, secret).not.toContain(secret);
    }
    // The record proves it without naming them: a keyed hash of the id, the counts.
    const record = await rt.erasures.get(requestId);
    expect(record).toMatchObject({
      subjects: [await rt.suppressions.ref('customer', customer.id)],
      counts: retried.counts,
    });
    expect(record?.plan).toBeUndefined();
  });

  it('is not an opt-out, but an unsubscribe or complaint from an erased survey still reaches the person', async () => {
    const { rt } = await erasureRuntime();
    const { customer, invitations, unsubscribeToken } = await seed(rt, { optOut: false });
    const erase = createErasureHandler(rt, () => ERASED_AT);
    const result = await erase({
      detail: { version: '1', requestId: `req-${randomUUID()}`, customerId: customer.id },
    });
    expect(result.counts).toMatchObject({ customers: 1, invitations: 2, optOutsKept: 0 });
    // Back as a customer a week later: asked again.
    const back = await intake(
      rt,
      event(interaction({ occurredAt: '2026-11-28T10:00:00Z', customer })),
      at('2026-11-28T10:00:00Z'),
    );
    expect(back.status).toBe('scheduled');
    // The old email's unsubscribe link still works: the address is opted out by its keyed hash.
    await unsubscribe(rt, unsubscribeToken, at('2026-11-28T11:00:00Z'), { record: true });
    const next = await intake(
      rt,
      event(
        interaction({ occurredAt: '2026-12-28T10:00:00Z', customer: { ...customer, id: 'x' } }),
      ),
      at('2026-12-28T10:00:00Z'),
    );
    expect(next).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    expect((await rt.invitations.get(invitations[1]!))?.addressRef).toBe(
      await rt.suppressions.ref('address', customer.email),
    );
  });

  it('keeps no contact item for them when an interaction dated after the erasure is redelivered', async () => {
    const { rt } = await erasureRuntime();
    const unique = randomUUID().slice(0, 8);
    const customer = { id: `later-${unique}`, email: `later-${unique}@example.com`, name: 'Ada' };
    // received before the erasure, dated an hour ahead (intake accepts up to 24 hours)
    const detail = interaction({ occurredAt: '2026-11-21T13:00:00Z', customer });
    const first = await intake(rt, event(detail), at('2026-11-21T11:50:00Z'));
    expect(first.status).toBe('scheduled');
    const erase = createErasureHandler(rt, () => ERASED_AT);
    await erase({
      detail: { version: '1', requestId: `req-${randomUUID()}`, customerId: customer.id },
    });
    expect((await rt.contacts.get(customer.id, { consistent: true })).stored).toBe('none');
    // EventBridge delivers it again, minutes later: its decision is found, no contact claimed back
    expect(await intake(rt, event(detail), at('2026-11-21T12:10:00Z'))).toMatchObject({
      duplicate: true,
    });
    expect((await rt.contacts.get(customer.id, { consistent: true })).stored).toBe('none');
    expect(await rt.invitations.get(first.invitationId)).toMatchObject({
      status: 'cancelled',
      customerId: '(erased)',
    });
  });

  it('refuses a request id used before for someone else', async () => {
    const { rt } = await erasureRuntime();
    const erase = createErasureHandler(rt, () => ERASED_AT);
    const requestId = `req-${randomUUID()}`;
    await erase({ detail: { version: '1', requestId, customerId: 'someone' } });
    await expect(
      erase({ detail: { version: '1', requestId, customerId: 'someone-else' } }),
    ).rejects.toThrow(/already used for another erasure request/);
    expect((await rt.erasures.get(requestId))?.subjects).toEqual([
      await rt.suppressions.ref('customer', 'someone'),
    ]);
  });

  it('refuses a request that names nobody or both, naming the problem', async () => {
    const { rt } = await erasureRuntime();
    const erase = createErasureHandler(rt, () => ERASED_AT);
    await expect(erase({ detail: { version: '1', requestId: 'req-00000001' } })).rejects.toThrow(
      InvalidEventError,
    );
    await expect(
      erase({
        detail: { version: '1', requestId: 'req-00000002', customerId: 'a', email: 'a@b.c' },
      }),
    ).rejects.toThrow(/exactly one of customerId and email/);
    await expect(
      erase({ detail: { version: '1', requestId: 'x', customerId: 'a' } }),
    ).rejects.toThrow(/requestId/);
  });
});

/** Item kinds by their partition key's prefix, and whether they hold personal data. */
const ITEM_KINDS: Record<string, 'personal' | 'anonymous'> = {
  'INV#': 'personal', // address, name, interaction, answers, comments
  'CONTACTS#': 'personal', // the directory's profile and contact history, by customer id
  'CASES#': 'personal', // a follow-up case: the customer id, owners' notes
  'AUDIT#': 'personal', // who on staff looked at what (their subject id)
  'DNC#': 'anonymous', // opt-outs and suppressions, by keyed hash
  'ERASURE#': 'anonymous', // that an erasure happened, by keyed hash
  'ROLLUP#': 'anonymous', // counts per day and dimension
  'COUNT#': 'anonymous', // the stream's counters per day and dimension
  COUNTERS: 'anonymous', // from which day the counters hold every invitation
  'STREAMPOS#': 'anonymous', // how far the counting has read a stream shard
  DISPATCHER: 'anonymous', // the dispatcher's lease
  STORAGE: 'anonymous', // how many items of the first key shapes a count found
};

describe('retention', () => {
  it('gives every kind of item that holds personal data a TTL within the retention, and the others none of it', async () => {
    const { rt } = await erasureRuntime();
    const { customer, comments } = await seed(rt);
    await rollup(rt, { now: at('2026-11-21T02:30:00Z'), days: 2 });
    await rt.audit.record({
      at: '2026-11-21T09:00:00.000Z',
      actor: 'lead-1',
      roles: ['cx-lead'],
      action: 'view-answers',
      scope: 'support-call 2026-11-20',
      count: 1,
    });
    const doc = DynamoDBDocumentClient.from(rt.dynamodb);
    const { Items = [] } = await doc.send(new ScanCommand({ TableName: rt.settings.tableName }));
    const seen = new Set<string>();
    const latest = Date.parse('2026-11-21T09:00:00Z') / 1000 + rt.config.dataRetentionDays * 86_400;
    for (const item of Items) {
      const pk = String(item.pk);
      const kind = Object.keys(ITEM_KINDS).find((prefix) => pk.startsWith(prefix));
      expect(kind, `an item kind nobody classified: ${pk}`).toBeDefined();
      seen.add(kind!);
      const text = JSON.stringify(item, (_, value: unknown) =>
        value instanceof Set ? [...(value as Set<unknown>)] : value,
      );
      if (ITEM_KINDS[kind!] === 'personal') {
        expect(typeof item.expireAt, `${pk} has no TTL`).toBe('number');
        expect(item.expireAt as number, pk).toBeLessThanOrEqual(latest);
        expect(item.expireAt as number, pk).toBeGreaterThan(Date.parse('2026-11-20') / 1000);
      } else {
        for (const secret of [customer.id, customer.email.toLowerCase(), ...comments]) {
          expect(text.toLowerCase(), pk).not.toContain(secret.toLowerCase());
        }
        expect(text, pk).not.toContain('@');
      }
    }
    expect([...seen].sort()).toEqual(
      [
        'AUDIT#',
        'CASES#',
        'CONTACTS#',
        'COUNT#',
        'COUNTERS',
        'DISPATCHER',
        'DNC#',
        'INV#',
        'ROLLUP#',
        'STREAMPOS#',
      ].sort(),
    );
  });
});

describe('logs', () => {
  it('hold no address, name, comment or customer id, from the interaction to the erasure', async () => {
    const { rt } = await erasureRuntime();
    const captured = captureLog('debug'); // every line there is
    let secrets: string[];
    try {
      const { customer, comments, invitations } = await seed(rt);
      secrets = [
        customer.id,
        customer.email,
        customer.email.toLowerCase(),
        customer.name,
        ...comments,
      ];
      // SES feedback as SES sends it, the address in the destination and headers.
      const feedback = createFeedbackHandler(rt);
      for (const [eventType, invitationId] of [
        ['Delivery', invitations[0]!],
        ['Complaint', invitations[1]!],
      ] as const) {
        await feedback({
          detail: {
            eventType,
            mail: {
              messageId: `m-${randomUUID()}`,
              timestamp: '2026-11-20T17:01:00Z',
              destination: [customer.email],
              commonHeaders: { to: [`${customer.name} <${customer.email}>`] },
              tags: { invitationId: [invitationId] },
            },
            ...(eventType === 'Delivery'
              ? { delivery: { timestamp: '2026-11-20T17:01:00Z', recipients: [customer.email] } }
              : {
                  complaint: {
                    timestamp: '2026-11-20T19:00:00Z',
                    complainedRecipients: [{ emailAddress: customer.email }],
                  },
                }),
          },
        });
      }
      // A bad event names its problems, not the customer it carried.
      await expect(
        intake(
          rt,
          event({ ...interaction({ customer }), touchpoint: 'not a token!' }),
          at('2026-11-21T09:00:00Z'),
        ),
      ).rejects.toThrow();
      await rollup(rt, { now: at('2026-11-21T02:30:00Z'), days: 2 });
      await sendDigest(rt, { now: at('2026-11-21T08:00:00Z'), dashboardUrl: 'http://127.0.0.1/d' });
      await createErasureHandler(
        rt,
        () => ERASED_AT,
      )({
        detail: { version: '1', requestId: `req-${randomUUID()}`, email: customer.email },
      });
    } finally {
      captured.restore();
    }
    const log = captured.lines.join('');
    // The capture saw the journey's lines, so their absence below means something.
    for (const expected of ['answer.unsubscribed', 'feedback.recorded', 'erasure.completed']) {
      expect(log).toContain(expected);
    }
    for (const secret of secrets!) expect(log, secret).not.toContain(secret);
  });
});
