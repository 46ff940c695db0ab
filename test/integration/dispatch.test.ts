import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../lib/adapters/mailer.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import {
  emailsTo,
  event,
  interaction,
  scoreLinks,
  testRuntime,
  withConfig,
  type TestRuntime,
} from '../support/harness.js';

const occurred = '2026-11-23T10:00:00Z';
const beforeDue = new Date('2026-11-23T10:29:00Z');
const due = new Date('2026-11-23T10:31:00Z');

describe('dispatch through the SES emulator', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await testRuntime();
  });

  it('sends nothing before the send time, then one email with a signed link per score', async () => {
    const detail = interaction({ occurredAt: occurred });
    const { invitationId } = await intake(rt, event(detail), new Date(occurred));
    expect((await dispatch(rt, beforeDue)).sent).toBe(0);
    const result = await dispatch(rt, due);
    expect(result.sent).toBe(1);
    expect(result.backlogAgeSeconds).toBeCloseTo(60, 0); // due at 10:30, sent at 10:31
    const emails = await emailsTo(detail.customer.email!);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.subject).toBe('How did we do on your call?');
    const links = scoreLinks(emails[0]!);
    expect([...links.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const token = new URL(links.get(9)!).pathname.split('/').pop()!;
    expect(rt.signer.verify(token, due).invitationId).toBe(invitationId);
    const stored = await rt.invitations.get(invitationId);
    expect(stored).toMatchObject({ status: 'sent', messageId: emails[0]!.messageId });
    // the tick's clock starts at `due` and moves on with the time the tick takes
    const sentAt = Date.parse(stored!.sentAt!);
    expect(sentAt - due.getTime()).toBeGreaterThanOrEqual(0);
    expect(sentAt - due.getTime()).toBeLessThan(5000);
    expect(Date.parse(stored!.expiresAt!) - sentAt).toBe(7 * 86_400_000); // P7D link expiry
  });

  it('never sends twice when two dispatchers race over the same due invitations', async () => {
    const racing = await testRuntime();
    const details = Array.from({ length: 12 }, () => interaction({ occurredAt: occurred }));
    for (const detail of details) await intake(racing, event(detail), new Date(occurred));
    const [a, b] = await Promise.all([dispatch(racing, due), dispatch(racing, due)]);
    expect(a.sent + b.sent).toBe(12);
    for (const detail of details) expect(await emailsTo(detail.customer.email!)).toHaveLength(1);
    expect((await dispatch(racing, due)).sent).toBe(0);
  });

  describe('when SES fails', () => {
    // The mock replaces every SESv2Client's send, so it only lives inside these tests.
    let ses: ReturnType<typeof mockClient>;
    beforeEach(() => {
      ses = mockClient(SESv2Client);
    });
    afterEach(() => ses.restore());

    it('keeps a throttled invitation due and sends it on a later tick', async () => {
      const faulty = await testRuntime();
      faulty.mailer = new SesMailer(new SESv2Client({ region: 'us-east-1' }));
      const throttled = Object.assign(new Error('Maximum sending rate exceeded.'), {
        name: 'TooManyRequestsException',
      });
      ses.on(SendEmailCommand).rejectsOnce(throttled).resolves({ MessageId: 'mid-after-retry' });
      const { invitationId } = await intake(
        faulty,
        event(interaction({ occurredAt: occurred })),
        new Date(occurred),
      );

      expect(await dispatch(faulty, due, { retryAfterSeconds: 60 })).toMatchObject({
        sent: 0,
        retried: 1,
      });
      expect(await faulty.invitations.get(invitationId)).toMatchObject({ status: 'scheduled' });
      expect((await dispatch(faulty, new Date(due.getTime() + 30_000))).sent).toBe(0);
      expect((await dispatch(faulty, new Date(due.getTime() + 61_000))).sent).toBe(1);
      expect(await faulty.invitations.get(invitationId)).toMatchObject({
        status: 'sent',
        messageId: 'mid-after-retry',
      });
    });

    it("marks a rejected message failed with SES's error code, not the address", async () => {
      const faulty = await testRuntime();
      faulty.mailer = new SesMailer(new SESv2Client({ region: 'us-east-1' }));
      ses.on(SendEmailCommand).rejects(
        Object.assign(new Error('Email address is not verified: someone@example.com'), {
          name: 'MessageRejected',
        }),
      );
      const { invitationId } = await intake(
        faulty,
        event(interaction({ occurredAt: occurred })),
        new Date(occurred),
      );
      expect(await dispatch(faulty, due)).toMatchObject({ failed: 1 });
      const stored = await faulty.invitations.get(invitationId);
      expect(stored).toMatchObject({ status: 'failed', reason: 'MessageRejected' });
      expect((await dispatch(faulty, new Date(due.getTime() + 3_600_000))).sent).toBe(0);
    });
  });
});

describe('the send rate', () => {
  it('is read from SES GetAccount when the config sets none', async () => {
    const rt = await testRuntime({
      config: withConfig((config) => delete config.sending.maxSendRate),
    });
    expect((await rt.sendLimiter()).ratePerSecond).toBe(14); // the emulator reports a production account's default
  });

  it('is the configured one when set', async () => {
    const rt = await testRuntime({
      config: withConfig((config) => (config.sending.maxSendRate = 3)),
    });
    expect((await rt.sendLimiter()).ratePerSecond).toBe(3);
  });
});
