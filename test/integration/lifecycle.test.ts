/**
 * A survey's life after intake, against DynamoDB Local and the SES emulator: abandoned sends,
 * the one reminder, expiry, unsubscribe (page and RFC 8058 one-click), and mail scanners.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { rollupDay } from '../../lib/usecases/rollup.js';
import { isExpired } from '../../lib/domain/expiry.js';
import { intake } from '../../lib/usecases/intake.js';
import { createWebApp } from '../../lib/web/app.js';
import {
  emailsTo,
  event,
  interaction,
  scoreLinks,
  testRuntime,
  withConfig,
} from '../support/harness.js';
import type { StoredEmail } from '../../lib/local/ses.js';

const occurred = '2026-11-23T10:00:00Z';
const at = (iso: string) => new Date(iso);
const customer = () => {
  const id = `c-${randomUUID()}`;
  return { id, email: `${id}@example.com`, name: 'Ada', locale: 'en-GB' };
};
const unsubscribeLink = (email: StoredEmail) => {
  const header = email.headers?.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
  return header.slice(1, -1);
};

describe('a survey after intake', () => {
  it('marks a send abandoned after its lease as unknown and never sends it', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred, customer: customer() });
    const { invitationId } = await intake(rt, event(detail), at(occurred));
    // a dispatcher claims it and dies before sending or recording
    expect(await rt.outbox.claim(invitationId, at('2026-11-23T10:35:00Z'))).toBeDefined();
    expect((await dispatch(rt, at('2026-11-23T10:34:00Z'))).unknown).toBe(0); // lease still held
    const result = await dispatch(rt, at('2026-11-23T10:36:00Z'));
    expect(result).toMatchObject({ unknown: 1, sent: 0 });
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'unknown',
      reason: 'lease-expired',
    });
    expect((await dispatch(rt, at('2026-11-23T11:00:00Z'))).sent).toBe(0);
    expect(await emailsTo(detail.customer.email!)).toHaveLength(0);
  });

  it('leaves an unknown survey unknown when its slow sender reports back after the lease', async () => {
    const rt = await testRuntime();
    const { invitationId } = await intake(
      rt,
      event(interaction({ occurredAt: occurred, customer: customer() })),
      at(occurred),
    );
    await rt.outbox.claim(invitationId, at('2026-11-23T10:35:00Z'));
    expect(await rt.outbox.markUnknown(invitationId, at('2026-11-23T10:36:00Z'))).toBe(true);
    const recorded = await rt.outbox.markSent(invitationId, {
      messageId: 'late',
      sentAt: at('2026-11-23T10:37:00Z'),
      expiresAt: at('2026-11-30T10:37:00Z'),
    });
    expect(recorded).toBe(false);
    expect(await rt.invitations.get(invitationId)).toMatchObject({ status: 'unknown' });
  });

  it('sends one reminder after reminderAfter to an unanswered survey, and none once answered', async () => {
    const rt = await testRuntime();
    const quiet = customer();
    const answers = customer();
    const deliveries = [quiet, answers].map((who) =>
      interaction({
        occurredAt: occurred,
        touchpoint: 'order-delivered',
        channel: 'web',
        customer: who,
      }),
    );
    for (const detail of deliveries) await intake(rt, event(detail), at(occurred));
    await dispatch(rt, at('2026-11-23T12:01:00Z')); // PT2H delay
    const [first] = await emailsTo(answers.email);
    const app = createWebApp(rt, { now: () => at('2026-11-24T09:00:00Z') });
    const link = new URL(scoreLinks(first!).get(5)!);
    const answered = await app.request(link.pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'score=5',
    });
    expect(answered.status).toBe(200);

    expect((await dispatch(rt, at('2026-11-26T11:00:00Z'))).reminders).toBe(0); // not yet: P3D
    expect((await dispatch(rt, at('2026-11-26T12:05:00Z'))).reminders).toBe(1);
    expect((await dispatch(rt, at('2026-11-27T12:05:00Z'))).reminders).toBe(0); // only one
    const quietEmails = await emailsTo(quiet.email);
    expect(quietEmails.map((e) => e.subject)).toEqual([
      'Your order has arrived: how was it?',
      'A quick reminder: how was your delivery?',
    ]);
    expect(await emailsTo(answers.email)).toHaveLength(1);
  });

  it('keeps the reminder inside the send window: a reminder due at night waits for the morning', async () => {
    const rt = await testRuntime();
    const who = customer();
    const detail = interaction({
      occurredAt: occurred,
      touchpoint: 'order-delivered',
      channel: 'web',
      customer: who,
    });
    await intake(rt, event(detail), at(occurred));
    await dispatch(rt, at('2026-11-23T19:30:00Z')); // sent at 19:30: the reminder falls due at 19:30 on the 26th
    // the dispatcher is down from 19:00 to 21:00 on the 26th: the window (09:00–20:00) is closed
    expect((await dispatch(rt, at('2026-11-26T21:00:00Z'))).reminders).toBe(0);
    expect((await dispatch(rt, at('2026-11-27T08:59:00Z'))).reminders).toBe(0);
    expect((await dispatch(rt, at('2026-11-27T09:00:30Z'))).reminders).toBe(1);
    expect(await emailsTo(who.email)).toHaveLength(2);
  });

  it('closes an unanswered survey when its link expires, with nothing written', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred, customer: customer() });
    const { invitationId } = await intake(rt, event(detail), at(occurred));
    await dispatch(rt, at('2026-11-23T10:31:00Z'));
    const sent = await rt.invitations.get(invitationId);
    // Expiry is derived (issue 19): the link closes P7D after the send (10:31), and the rollup,
    // which reads the stream's counters, counts it once every link sent in that hour has closed.
    const expiredIn = async (asOf: string) =>
      (await rollupDay(rt, '2026-11-23', at(asOf))).find(
        (row) => row.touchpoint === detail.touchpoint,
      )?.expired;
    expect(await expiredIn('2026-11-30T10:30:00Z')).toBe(0); // P7D not over
    expect(await expiredIn('2026-11-30T10:59:59Z')).toBe(0); // closed, its hour's links not all
    expect(await expiredIn('2026-11-30T11:00:00Z')).toBe(1);
    expect(isExpired(sent!, at('2026-11-30T10:30:00Z'))).toBe(false);
    expect(isExpired(sent!, at('2026-11-30T10:32:00Z'))).toBe(true);
    await dispatch(rt, at('2026-11-30T10:32:00Z'));
    expect(await rt.invitations.get(invitationId)).toEqual(sent); // no write when the link closes
    const [email] = await emailsTo(detail.customer.email!);
    const app = createWebApp(rt, { now: () => at('2026-11-30T10:33:00Z') });
    const page = await app.request(new URL(scoreLinks(email!).get(9)!).pathname);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('This survey has closed');
  });

  it('cancels, as erased, a survey erased while being sent and then put back, sending nothing', async () => {
    const rt = await testRuntime();
    const who = customer();
    const { invitationId } = await intake(
      rt,
      event(interaction({ occurredAt: occurred, customer: who })),
      at(occurred),
    );
    const claimed = await rt.outbox.claim(invitationId, at('2026-11-23T10:35:00Z'));
    // The erasure scrubs it while it is being sent; the sender then puts it back (a closed window).
    expect(await rt.invitations.erase(claimed!, {}, at('2026-11-23T10:31:00Z'), undefined)).toBe(
      'erased',
    );
    await rt.outbox.release(invitationId, at('2026-11-23T10:32:00Z'));
    expect(await dispatch(rt, at('2026-11-23T10:33:00Z'))).toMatchObject({ sent: 0, skipped: 1 });
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'cancelled',
      reason: 'erased',
    });
    expect(await emailsTo(who.email)).toHaveLength(0);
  });

  it('unsubscribes with one click (RFC 8058) from every program, and GET only asks', async () => {
    const rt = await testRuntime({
      config: withConfig((config) => (config.contactRules.globalCoolDown = 'PT1M')),
    });
    const who = customer();
    await intake(rt, event(interaction({ occurredAt: occurred, customer: who })), at(occurred));
    await dispatch(rt, at('2026-11-23T10:31:00Z'));
    const [email] = await emailsTo(who.email);
    expect(email!.headers).toEqual(
      expect.arrayContaining([
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ]),
    );
    const link = new URL(unsubscribeLink(email!));
    const app = createWebApp(rt, { now: () => at('2026-11-23T11:00:00Z') });

    const page = await app.request(link.pathname);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('method="post"');
    expect((await rt.contacts.get(who.id)).optedOutAt).toBeUndefined();

    const oneClick = await app.request(link.pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect((await rt.contacts.get(who.id)).optedOutAt).toBe('2026-11-23T11:00:00.000Z');
    const later = interaction({
      occurredAt: '2026-11-24T10:00:00Z',
      touchpoint: 'order-delivered', // sampled in full, so the opt-out is what decides
      channel: 'chat',
      customer: who,
    });
    expect(await intake(rt, event(later), at('2026-11-24T10:00:00Z'))).toMatchObject({
      reason: 'opted-out',
    });
  });

  it('does not let a survey link unsubscribe, nor an unsubscribe link answer', async () => {
    const rt = await testRuntime();
    const who = customer();
    await intake(rt, event(interaction({ occurredAt: occurred, customer: who })), at(occurred));
    await dispatch(rt, at('2026-11-23T10:31:00Z'));
    const [email] = await emailsTo(who.email);
    const surveyToken = new URL(scoreLinks(email!).get(9)!).pathname.split('/').pop()!;
    const unsubscribeToken = new URL(unsubscribeLink(email!)).pathname.split('/').pop()!;
    const app = createWebApp(rt, { now: () => at('2026-11-23T11:00:00Z') });
    const post = (path: string, body: string) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    expect((await post(`/u/${surveyToken}`, 'List-Unsubscribe=One-Click')).status).toBe(400);
    expect((await post(`/s/${unsubscribeToken}`, 'score=0')).status).toBe(400);
    expect((await rt.contacts.get(who.id)).optedOutAt).toBeUndefined();
    expect((await rt.invitations.get(scoreLinksInvitation(surveyToken)))?.status).toBe('sent');
  });

  it('records nothing when a mail scanner GETs and HEADs every link of the email', async () => {
    const rt = await testRuntime();
    const who = customer();
    const { invitationId } = await intake(
      rt,
      event(interaction({ occurredAt: occurred, customer: who })),
      at(occurred),
    );
    await dispatch(rt, at('2026-11-23T10:31:00Z'));
    const [email] = await emailsTo(who.email);
    const links = [...email!.body.html!.matchAll(/href="([^"]+)"/g)].map((m) =>
      m[1]!.replaceAll('&amp;', '&'),
    );
    expect(links.length).toBe(12); // 11 scores and unsubscribe
    const before = await rt.invitations.get(invitationId);
    const app = createWebApp(rt, { now: () => at('2026-11-23T10:40:00Z') });
    for (const link of links) {
      const url = new URL(link);
      for (const method of ['GET', 'HEAD']) {
        expect((await app.request(`${url.pathname}${url.search}`, { method })).status).toBe(200);
      }
    }
    expect(await rt.invitations.get(invitationId)).toEqual(before);
    expect((await rt.contacts.get(who.id)).optedOutAt).toBeUndefined();
  });
});

function scoreLinksInvitation(token: string): string {
  return token.split('.')[1]!;
}
