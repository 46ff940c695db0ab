import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../lib/adapters/mailer.js';
import { dynamoDbError, injectFault, setsStatus } from '../support/faults.js';
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
    expect((await rt.signer.verify(token, due)).invitationId).toBe(invitationId);
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

  it('lets only one of two overlapping dispatchers send, so together they keep the send rate', async () => {
    const slow = await testRuntime();
    const details = Array.from({ length: 10 }, () => interaction({ occurredAt: occurred }));
    for (const detail of details) await intake(slow, event(detail), new Date(occurred));
    // The first dispatcher's first send hangs until released: it holds the lease meanwhile.
    const real = slow.mailer;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const sending = new Promise<void>((resolve) => (started = resolve));
    slow.mailer = {
      maxSendRate: () => real.maxSendRate(),
      send: async (email) => {
        started();
        await released;
        return real.send(email);
      },
    };
    const first = dispatch(slow, due, { budgetMs: 10_000 });
    await sending;
    const second = await dispatch(slow, due, { budgetMs: 10_000 });
    expect(second).toMatchObject({ busy: true, sent: 0 });
    release();
    expect((await first).sent).toBe(10);
    for (const detail of details) expect(await emailsTo(detail.customer.email!)).toHaveLength(1);
    // the lease is given back: the next tick runs
    expect((await dispatch(slow, due)).busy).toBe(false);
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

    it('marks a send unknown, never to be retried, when SES may have accepted it (5xx, timeout)', async () => {
      for (const failure of [
        { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } },
        { name: 'TimeoutError' },
        { name: 'Error', code: 'ECONNRESET' },
      ]) {
        const faulty = await testRuntime();
        faulty.mailer = new SesMailer(new SESv2Client({ region: 'us-east-1' }));
        ses.reset();
        ses
          .on(SendEmailCommand)
          .rejectsOnce(Object.assign(new Error('socket hang up'), failure))
          .resolves({ MessageId: 'never' });
        const { invitationId } = await intake(
          faulty,
          event(interaction({ occurredAt: occurred })),
          new Date(occurred),
        );
        expect(await dispatch(faulty, due), failure.name).toMatchObject({ unknown: 1, retried: 0 });
        expect(await faulty.invitations.get(invitationId)).toMatchObject({
          status: 'unknown',
          reason: `send-uncertain:${failure.name}`,
        });
        expect((await dispatch(faulty, new Date(due.getTime() + 3_600_000))).sent).toBe(0);
        expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
      }
    });

    it('puts a survey back when SES answered that it did not take it (a 4xx)', async () => {
      const faulty = await testRuntime();
      faulty.mailer = new SesMailer(new SESv2Client({ region: 'us-east-1' }));
      ses
        .on(SendEmailCommand)
        .rejectsOnce(
          Object.assign(new Error('not allowed'), {
            name: 'AccessDeniedException',
            $fault: 'client',
            $metadata: { httpStatusCode: 403 },
          }),
        )
        .resolves({ MessageId: 'after-the-fix' });
      const { invitationId } = await intake(
        faulty,
        event(interaction({ occurredAt: occurred })),
        new Date(occurred),
      );
      expect(await dispatch(faulty, due)).toMatchObject({ retried: 1, unknown: 0 });
      expect((await dispatch(faulty, new Date(due.getTime() + 61_000))).sent).toBe(1);
      expect(await faulty.invitations.get(invitationId)).toMatchObject({
        status: 'sent',
        messageId: 'after-the-fix',
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

describe('catching up after an outage', () => {
  // support-call: 30 minutes after the interaction, 09:00–20:00 in the customer's zone (London,
  // UTC in November), at most a day late.
  it('waits for the send window to open instead of emailing at night', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred }); // due 10:30
    const { invitationId } = await intake(rt, event(detail), new Date(occurred));
    const night = new Date('2026-11-23T21:00:00Z'); // the dispatcher is back after the window closed
    expect(await dispatch(rt, night)).toMatchObject({ sent: 0, skipped: 0 });
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'scheduled',
      sendAt: '2026-11-23T10:30:00.000Z', // the plan is kept: lateness counts from it
    });
    expect((await dispatch(rt, new Date('2026-11-24T08:59:00Z'))).sent).toBe(0);
    expect((await dispatch(rt, new Date('2026-11-24T09:00:30Z'))).sent).toBe(1);
    expect(await emailsTo(detail.customer.email!)).toHaveLength(1);
  });

  it('skips a survey too-late when its window opens past the allowed lateness', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred });
    const { invitationId } = await intake(rt, event(detail), new Date(occurred));
    // at 21:00 the next day, the window opens 46.5 hours after the planned send: over P1D
    expect((await dispatch(rt, new Date('2026-11-24T21:00:00Z'))).skipped).toBe(1);
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'skipped',
      reason: 'too-late',
    });
    expect(await emailsTo(detail.customer.email!)).toHaveLength(0);
  });
});

describe('at most once, when recording the send fails', () => {
  it('tries the recording write again and sends exactly one email', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred });
    const { invitationId } = await intake(rt, event(detail), new Date(occurred));
    const fault = injectFault(
      rt.dynamodb,
      (_, input) => setsStatus(input, 'sent'),
      () => dynamoDbError(),
    );
    expect(await dispatch(rt, due)).toMatchObject({ sent: 1, retried: 0, unknown: 0 });
    expect(fault.injected).toBe(1);
    expect(await rt.invitations.get(invitationId)).toMatchObject({ status: 'sent' });
    for (const later of [2, 10, 60]) await dispatch(rt, new Date(due.getTime() + later * 60_000));
    expect(await emailsTo(detail.customer.email!)).toHaveLength(1);
  });

  it('leaves a send it cannot record to become unknown, and never sends it again', async () => {
    const rt = await testRuntime();
    const detail = interaction({ occurredAt: occurred });
    const { invitationId } = await intake(rt, event(detail), new Date(occurred));
    const fault = injectFault(
      rt.dynamodb,
      (_, input) => setsStatus(input, 'sent'),
      () => dynamoDbError(),
      Infinity,
    );
    await dispatch(rt, due, { leaseSeconds: 300 });
    fault.stop();
    expect(fault.injected).toBeGreaterThan(1);
    expect(await rt.invitations.get(invitationId)).toMatchObject({ status: 'sending' });
    expect(await dispatch(rt, new Date(due.getTime() + 301_000))).toMatchObject({
      unknown: 1,
      sent: 0,
    });
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'unknown',
      reason: 'lease-expired',
    });
    expect((await dispatch(rt, new Date(due.getTime() + 3_600_000))).sent).toBe(0);
    expect(await emailsTo(detail.customer.email!)).toHaveLength(1);
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
