/**
 * End to end, through the public local endpoints only, as a producer and a customer would:
 * PutEvents → email in the SES emulator → GET the score link (records nothing) → POST the form →
 * `afterword rollup` and `afterword report --format json` show the answer.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportRow, TOTAL } from '../../lib/contracts/report.js';
import { waitFor } from '../../lib/local/ports.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { runCli } from '../support/cli.js';
import { scoreLinks, startTestStack, waitForEmails } from '../support/harness.js';

describe('a survey from interaction to report, on the local stack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startTestStack('e2e');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('delivers, shows, records and reports one answer', async () => {
    const email = `ada-${randomUUID()}@example.com`;
    const producer = new EventBridgeClient({
      endpoint: stack.urls.bus,
      region: 'us-east-1',
      credentials: { accessKeyId: 'producer', secretAccessKey: 'producer' },
    });
    const put = await producer.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'afterword',
            Source: 'crm.calls',
            DetailType: 'Interaction Completed',
            Detail: JSON.stringify({
              interactionId: `call-${randomUUID()}`,
              occurredAt: new Date().toISOString(),
              touchpoint: 'support-call',
              channel: 'phone',
              customer: { id: 'c-123', email, name: 'Ada', locale: 'en-GB', segment: 'e2e' },
              journey: { id: 'onboarding', step: 'first-call' },
            }),
          },
        ],
      }),
    );
    producer.destroy();
    expect(put.FailedEntryCount).toBe(0);

    const [message] = await waitForEmails(email, 1, 10_000);
    expect(message!.body.html).toContain('Hi Ada,');
    const link = scoreLinks(message!).get(10)!;
    expect(link.startsWith(stack.urls.web)).toBe(true);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/value="10" required checked/);
    const env = {
      AFTERWORD_DYNAMODB_PORT: new URL(stack.urls.dynamodb).port,
      AFTERWORD_TABLE: stack.runtime.settings.tableName,
    };
    await runCli(['rollup'], env);
    const beforeAnswer = ReportRow.array().parse(
      JSON.parse((await runCli(['report', '--format', 'json'], env)).stdout),
    );
    expect(beforeAnswer.find((r) => r.segment === 'e2e' && r.day !== TOTAL)).toMatchObject({
      sent: 1,
      answered: 0,
      n: 0,
    });

    const action = new URL(link);
    const submitted = await fetch(`${action.origin}${action.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: action.origin },
      body: new URLSearchParams({
        score: '10',
        comment: 'Lovely',
        'q.resolved': 'yes',
      }).toString(),
    });
    expect(submitted.status).toBe(200);
    await stack.bus.idle();
    const published = stack.eventLog
      .list()
      .filter((e) => (e.detail as { customerId?: string }).customerId === 'c-123');
    expect(published.map((e) => e['detail-type'])).toContain('Survey Answered');

    const rolled = await runCli(['rollup'], env);
    expect(rolled.code).toBe(0);
    const reported = await runCli(['report', '--format', 'json'], env);
    expect(reported.code).toBe(0);
    const rows = ReportRow.array().parse(JSON.parse(reported.stdout));
    expect(rows.find((r) => r.segment === 'e2e' && r.day !== TOTAL)).toMatchObject({
      touchpoint: 'support-call',
      channel: 'phone',
      metric: 'nps',
      invited: 1,
      sent: 1,
      answered: 1,
      responseRate: 1,
      n: 1,
      score: 100,
    });
    // The questionnaire's driver choice, counted per option and score group.
    const resolved = rows
      .find((r) => r.segment === 'e2e' && r.day !== TOTAL)!
      .questions.find((q) => q.questionId === 'resolved')!;
    expect(resolved).toMatchObject({
      type: 'choice',
      answered: 1,
      answeredByGroup: { promoter: 1 },
    });
    expect(resolved.options.find((o) => o.option === 'yes')).toMatchObject({
      count: 1,
      share: 100,
      byGroup: { promoter: { count: 1, share: 100 } },
    });
    const drivers = await runCli(['report', '--metric', 'drivers', '--format', 'csv'], env);
    expect(drivers.code).toBe(0);
    expect(drivers.stdout.split('\n')[0]).toBe(
      'periodFrom,periodTo,touchpoint,metric,questionId,question,type,option,label,group,answered,count,share,ciLow,ciHigh,lowN',
    );
    expect(drivers.stdout).toMatch(
      /,support-call,nps,resolved,Was your issue resolved\?,choice,yes,Yes,promoter,\d+,\d+,/,
    );
  });
  it('puts a low answer before its owner within seconds, and lists the case with its due-by', async () => {
    const customerId = `c-${randomUUID()}`;
    const email = `grace-${randomUUID()}@example.com`;
    const producer = new EventBridgeClient({
      endpoint: stack.urls.bus,
      region: 'us-east-1',
      credentials: { accessKeyId: 'producer', secretAccessKey: 'producer' },
    });
    await producer.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'afterword',
            Source: 'crm.calls',
            DetailType: 'Interaction Completed',
            Detail: JSON.stringify({
              interactionId: `call-${randomUUID()}`,
              occurredAt: new Date().toISOString(),
              touchpoint: 'support-call',
              channel: 'phone',
              customer: { id: customerId, email, name: 'Grace', locale: 'en-GB' },
            }),
          },
        ],
      }),
    );
    producer.destroy();
    const [message] = await waitForEmails(email, 1, 10_000);
    const action = new URL(scoreLinks(message!).get(2)!);
    const answered = await fetch(`${action.origin}${action.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: action.origin },
      body: new URLSearchParams({ score: '2', comment: 'Nobody called back', followUp: 'on' }),
    });
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('will contact you by');

    // The bus hands the follow-up request to the follow-up function: the owner's email.
    const owner = 'support-lead@acme.example';
    let ownerEmail: Awaited<ReturnType<typeof waitForEmails>>[number] | undefined;
    await waitFor(
      'the owner email',
      async () => {
        ownerEmail = (await waitForEmails(owner, 1, 10_000)).find((e) =>
          e.body.text?.includes(`reply to ${email}`),
        );
        return Boolean(ownerEmail);
      },
      { timeoutMs: 10_000 },
    );
    expect(ownerEmail!.body.text).toContain('> Nobody called back');

    const env = {
      AFTERWORD_DYNAMODB_PORT: new URL(stack.urls.dynamodb).port,
      AFTERWORD_TABLE: stack.runtime.settings.tableName,
    };
    const listed = await runCli(['follow-ups', '--format', 'json'], env);
    expect(listed.code).toBe(0);
    const cases = JSON.parse(listed.stdout) as {
      customerId: string;
      status: string;
      dueBy: string;
    }[];
    const mine = cases.find((c) => c.customerId === customerId);
    expect(mine).toMatchObject({ status: 'open', contactAllowed: true, score: 2 });
    expect(Date.parse(mine!.dueBy)).toBeGreaterThan(Date.now());
    const table = await runCli(['follow-ups', '--owner', owner], env);
    expect(table.stdout).toMatch(/support-call\s+2\s+open/);
  });

  it('reads a response rate of at most 100 % when SES reported one delivery of two', async () => {
    const segment = `rate-${randomUUID().slice(0, 8)}`;
    const emails = [0, 1].map((i) => `rate-${i}-${randomUUID()}@example.com`);
    const producer = new EventBridgeClient({
      endpoint: stack.urls.bus,
      region: 'us-east-1',
      credentials: { accessKeyId: 'producer', secretAccessKey: 'producer' },
    });
    const put = await producer.send(
      new PutEventsCommand({
        Entries: emails.map((email, i) => ({
          EventBusName: 'afterword',
          Source: 'crm.calls',
          DetailType: 'Interaction Completed',
          Detail: JSON.stringify({
            interactionId: `call-${randomUUID()}`,
            occurredAt: new Date().toISOString(),
            touchpoint: 'support-call',
            channel: 'phone',
            customer: { id: `c-rate-${i}-${segment}`, email, locale: 'en-GB', segment },
            journey: { id: 'onboarding', step: 'first-call' },
          }),
        })),
      }),
    );
    producer.destroy();
    expect(put.FailedEntryCount).toBe(0);
    const links = await Promise.all(
      emails.map(async (email) => {
        const [message] = await waitForEmails(email, 1, 10_000);
        return scoreLinks(message!).get(9)!;
      }),
    );
    const { invitationId: delivered } = await stack.runtime.signer.verify(
      new URL(links[0]!).pathname.split('/').pop()!,
      new Date(),
    );
    const env = {
      AFTERWORD_DYNAMODB_PORT: new URL(stack.urls.dynamodb).port,
      AFTERWORD_BUS_PORT: new URL(stack.urls.bus).port,
      AFTERWORD_TABLE: stack.runtime.settings.tableName,
    };
    const injected = await runCli(['ses-event', 'delivery', '--invitation', delivered], env);
    expect(injected.code).toBe(0);
    await waitFor(
      'the delivery to be recorded',
      async () => (await stack.runtime.invitations.get(delivered))?.deliveredAt !== undefined,
      { timeoutMs: 10_000 },
    );
    for (const link of links) {
      const action = new URL(link);
      const submitted = await fetch(`${action.origin}${action.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: action.origin },
        body: new URLSearchParams({ score: '9' }).toString(),
      });
      expect(submitted.status).toBe(200);
    }

    expect((await runCli(['rollup'], env)).code).toBe(0);
    const reported = await runCli(['report', '--format', 'json'], env);
    expect(reported.code).toBe(0);
    const rows = ReportRow.array()
      .parse(JSON.parse(reported.stdout))
      .filter((r) => r.segment === segment);
    const day = rows.find((r) => r.day !== TOTAL)!;
    // two sent, one delivery known, two answered: over sent (100 %), not over delivered (200 %)
    expect(day).toMatchObject({ sent: 2, delivered: 1, outcomeKnown: 1, answered: 2 });
    expect(day.responseRateBasis).toBe('sent');
    expect(day.responseRate).toBe(1);
    for (const row of rows) expect(row.responseRate!).toBeLessThanOrEqual(1);
    expect(rows.find((r) => r.day === TOTAL)).toMatchObject({ answered: 2, responseRate: 1 });
  });

  it('launches the shipped tracking program from the command line and emails the planned sample', async () => {
    const env = {
      AFTERWORD_DYNAMODB_PORT: new URL(stack.urls.dynamodb).port,
      AFTERWORD_TABLE: stack.runtime.settings.tableName,
    };
    const dir = mkdtempSync(join(tmpdir(), 'afterword-e2e-'));
    const file = join(dir, 'customers.csv');
    const run = randomUUID().slice(0, 8);
    const addresses = [0, 1, 2].map((i) => `tracked-${run}-${i}@example.com`);
    writeFileSync(
      file,
      [
        'customerId,email,locale,lastSeen',
        ...addresses.map(
          (email, i) =>
            `tracked-${run}-${i},${email},${i ? 'de-DE' : 'en-GB'},${new Date().toISOString().slice(0, 10)}`,
        ),
      ].join('\n'),
    );
    expect((await runCli(['customers', 'import', file], env)).code).toBe(0);
    const planned = await runCli(['plan', 'relationship', '--format', 'json'], env);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as { invitations: number; population: number };
    // Too few customers for ±5 points: all of them are asked, and the plan says so.
    expect(plan.invitations).toBe(plan.population);
    expect(plan.population).toBeGreaterThanOrEqual(3);
    const table = await runCli(['plan', 'relationship'], env);
    expect(table.stdout).toMatch(/warning: the population has \d+ customers/);
    const launched = await runCli(['launch', 'relationship', '--instant'], env);
    expect(launched.code).toBe(0);
    expect(launched.stdout).toMatch(/^relationship \d{4}-\d{2}: planned \d+, drawn \d+/);
    for (const address of addresses) {
      const [message] = await waitForEmails(address, 1, 15_000);
      expect(message!.subject).toMatch(/Acme/);
      expect(message!.subject).not.toContain('{brand}');
    }
    // The same period again: nobody is asked twice.
    const again = await runCli(['launch', 'relationship', '--instant'], env);
    expect(again.stdout).toContain('scheduled 0');
  });
});
