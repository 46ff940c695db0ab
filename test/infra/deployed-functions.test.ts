/**
 * Every function run as it is deployed: its handler, with the environment the synthesized template
 * gives it (names resolved as CloudFormation would), against the local components named the same
 * way: the table, the signing secret, the bus, SES with the configuration set. Each branch that
 * touches AWS is taken at least once, so the AWS calls recorded here (test/support/aws-calls.ts)
 * cover everything each function can do; test/permissions/ holds them to the roles.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NEEDS as ANSWER_NEEDS } from '../../functions/answer-http.js';
import { NEEDS as DASHBOARD_NEEDS } from '../../functions/dashboard-http.js';
import { NEEDS as DISPATCH_NEEDS } from '../../functions/dispatch.js';
import { createDispatchHandler } from '../../lib/handlers/dispatch.js';
import { NEEDS as FEEDBACK_NEEDS } from '../../functions/feedback.js';
import { createFeedbackHandler } from '../../lib/handlers/feedback.js';
import { NEEDS as INTAKE_NEEDS } from '../../functions/intake.js';
import { createIntakeHandler } from '../../lib/handlers/intake.js';
import { NEEDS as FOLLOW_UP_NEEDS } from '../../functions/follow-up.js';
import { createFollowUpHandler } from '../../lib/handlers/follow-up.js';
import { NEEDS as ROLLUP_NEEDS } from '../../functions/rollup.js';
import { createRollupHandler } from '../../lib/handlers/rollup.js';
import { NEEDS as LAUNCH_NEEDS } from '../../functions/launch.js';
import { createLaunchHandler } from '../../lib/handlers/launch.js';
import { NEEDS as ERASURE_NEEDS } from '../../functions/erasure.js';
import { NEEDS as COUNT_NEEDS } from '../../functions/count.js';
import { countStream } from '../../lib/usecases/count-stream.js';
import { StreamPoller } from '../../lib/local/stream-poller.js';
import { createErasureHandler } from '../../lib/handlers/erasure.js';
import { inFunction, type DeployedFunctionName } from '../../lib/adapters/function-scope.js';
import { DEFAULT_CONFIG_PATH } from '../../lib/config/load.js';
import type { EventBridgeEvent } from '../../lib/contracts/interaction.js';
import { LinkSigner } from '../../lib/domain/links.js';
import { LocalEventBus } from '../../lib/local/bus.js';
import { MemoryJournal, type DeadLetter } from '../../lib/local/dead-letters.js';
import { createRuntime, type Runtime } from '../../lib/runtime.js';
import { settingsFromEnv, type Need } from '../../lib/runtime-env.js';
import { ensureTable, INDEX } from '../../lib/store/table.js';
import { dayKeys, invitationKey, queueKeys } from '../../lib/store/invitation-items.js';
import { DayIndex } from '../../lib/store/day-index.js';
import { LegacyOutbox } from '../../lib/store/legacy-outbox.js';
import { countingMigration, migrateStorage } from '../../lib/usecases/migrate-storage.js';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { createWebApp } from '../../lib/web/app.js';
import { readRecordedCalls } from '../support/aws-calls.js';
import { REGION, synthDeployedStack, type DeployedStack } from '../support/cfn.js';
import {
  startFakeSecretsManager,
  type FakeSecretsManager,
} from '../support/fake-secrets-manager.js';
import { emailsTo, interaction, scoreLinks } from '../support/harness.js';
import { startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { openStack } from '../../lib/cli/stack.js';
import { awaitErasure, erasureRequestFor } from '../../lib/cli/forget.js';
import { runSmoke, stackSmokeTarget } from '../../lib/cli/smoke.js';
import { SMOKE_ADDRESS, SMOKE_SEGMENT } from '../../lib/domain/smoke.js';
import { RULES } from '../../lib/contracts/rules.js';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { buildDigest } from '../../lib/usecases/digest.js';
import { report } from '../../lib/usecases/report.js';
import { customerTimeline } from '../../lib/usecases/timeline.js';
import { customerRecord } from '../../lib/usecases/access.js';
import { plan } from '../../lib/usecases/tracking.js';
import { CookieSealer } from '../../lib/auth/session.js';
import { createDashboardApp } from '../../lib/web/dashboard-app.js';

type DeployedFunction = DeployedFunctionName;

const NEEDS: Record<DeployedFunction, Need[]> = {
  intake: INTAKE_NEEDS,
  dispatch: DISPATCH_NEEDS,
  answer: ANSWER_NEEDS,
  rollup: ROLLUP_NEEDS,
  feedback: FEEDBACK_NEEDS,
  'follow-up': FOLLOW_UP_NEEDS,
  dashboard: DASHBOARD_NEEDS,
  launch: LAUNCH_NEEDS,
  erasure: ERASURE_NEEDS,
  count: COUNT_NEEDS,
};

const occurred = '2026-11-23T10:00:00Z';
const at = (iso: string) => new Date(iso);

let deployed: DeployedStack;
let secrets: FakeSecretsManager;
let bus: LocalEventBus;
const env = {} as Record<DeployedFunction, Record<string, string>>;
const rt = {} as Record<DeployedFunction, Runtime>;
let aws: FakeAws;
let secretArn: string;
let busUrl: string;
const firstKey = randomBytes(32).toString('base64url');
const sessionKeys = { activeKeyId: 's1', s1: randomBytes(32).toString('base64url') };

/** The function's environment variables, as the template sets them. */
function environmentOf(name: DeployedFunction): Record<string, string> {
  const cfn = deployed.logicalId(deployed.stack.afterword.functions[name].function);
  const variables = deployed.resolve(
    (deployed.template.Resources[cfn]!.Properties!.Environment as { Variables: unknown }).Variables,
  ) as Record<string, string>;
  // The bundle carries a copy of the config at /var/task; here it is the file that was copied.
  return { ...variables, AFTERWORD_CONFIG: DEFAULT_CONFIG_PATH, AWS_REGION: REGION };
}

/** Cold start of one function: its settings from its environment, read inside its scope. */
async function coldStart(name: DeployedFunction, endpoints: Runtime['settings']['endpoints']) {
  return inFunction(name, async () =>
    createRuntime(await settingsFromEnv(NEEDS[name], env[name], endpoints)),
  );
}

beforeAll(async () => {
  deployed = synthDeployedStack();
  for (const name of Object.keys(NEEDS) as DeployedFunction[]) env[name] = environmentOf(name);
  secretArn = env.answer.LINK_SIGNING_SECRET_ARN!;
  expect(env.dispatch.LINK_SIGNING_SECRET_ARN).toBe(secretArn);
  secrets = await startFakeSecretsManager();
  aws = await startFakeAws();
  secrets.put(secretArn, JSON.stringify({ activeKeyId: 'k1', k1: firstKey }));
  secrets.put(env.dashboard.DASHBOARD_SESSION_SECRET_ARN!, JSON.stringify(sessionKeys));
  // One consent key, shared by every function that checks or records consent.
  const consentKeyArn = env.intake.CONSENT_KEY_SECRET_ARN!;
  for (const name of ['dispatch', 'answer', 'feedback', 'launch', 'erasure'] as const)
    expect(env[name].CONSENT_KEY_SECRET_ARN).toBe(consentKeyArn);
  secrets.put(consentKeyArn, randomBytes(32).toString('base64url'));
  bus = new LocalEventBus({
    busName: env.answer.EVENT_BUS_NAME!,
    rules: [],
    targets: {
      intake: () => Promise.resolve(),
      feedback: () => Promise.resolve(),
      'follow-up': () => Promise.resolve(),
      erasure: () => Promise.resolve(),
    },
    deadLetters: new MemoryJournal<DeadLetter>(),
  });
  const endpoints = {
    dynamodb: inject('dynamodbEndpoint'),
    ses: inject('sesEndpoint'),
    secrets: secrets.endpoint,
    events: (busUrl = await bus.listen(0)),
    s3: aws.endpoint,
  };
  for (const name of Object.keys(NEEDS) as DeployedFunction[])
    rt[name] = await coldStart(name, endpoints);
  // The table CloudFormation would have created, under its name (fresh for this run).
  await ensureTable(rt.intake.dynamodb, env.intake.TABLE_NAME!);
}, 120_000);

afterAll(async () => {
  await bus?.close();
  await secrets?.close();
  await aws?.close();
});

function envelope(detail: unknown, source = 'crm.calls'): EventBridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Interaction Completed',
    source,
    account: '111122223333',
    time: occurred,
    region: REGION,
    resources: [],
    detail,
  };
}

function sesEvent(type: 'Delivery' | 'Bounce' | 'Complaint', invitationId: string) {
  const timestamp = '2026-11-23T10:40:00Z';
  return {
    detail: {
      eventType: type,
      mail: { messageId: `m-${randomUUID()}`, timestamp, tags: { invitationId: [invitationId] } },
      ...(type === 'Delivery' ? { delivery: { timestamp } } : {}),
      ...(type === 'Bounce' ? { bounce: { bounceType: 'Permanent', timestamp } } : {}),
      ...(type === 'Complaint' ? { complaint: { timestamp } } : {}),
    },
  };
}

/** SES's Delivery event for an invitation, put on the default bus as SES publishes it. */
function feedbackOnDefaultBus(on: LocalEventBus, invitationId: string) {
  on.accept({
    source: 'aws.ses',
    detailType: 'Email Delivered',
    bus: 'default',
    detail: sesEvent('Delivery', invitationId).detail,
  });
}

describe('every function, run with the environment the stack deploys it with', () => {
  it('runs a survey life through every handler, taking each branch that calls AWS', async () => {
    const intake = createIntakeHandler(rt.intake, () => at(occurred));
    const support = interaction({ occurredAt: occurred });
    const order = interaction({
      occurredAt: occurred,
      touchpoint: 'order-delivered',
      channel: 'web',
    });
    const quiet = interaction({ occurredAt: occurred });
    const bounced = interaction({ occurredAt: occurred });
    const decided = [];
    for (const detail of [support, order, quiet, bounced])
      decided.push(await intake(envelope(detail)));
    expect(decided.map((d) => d.status)).toEqual([
      'scheduled',
      'scheduled',
      'scheduled',
      'scheduled',
    ]);
    expect((await intake(envelope(support))).duplicate).toBe(true);
    // the same customer again, now in another segment: the contact rules skip it, and the
    // directory's profile is updated on its own (UpdateItem)
    const again = await intake(
      envelope({
        ...interaction({ occurredAt: occurred }),
        customer: { ...support.customer, segment: 'enterprise' },
      }),
    );
    expect(again).toMatchObject({ status: 'skipped', reason: 'cool-down' });
    const [supportId, orderId, quietId, bouncedId] = decided.map((d) => d.invitationId) as [
      string,
      string,
      string,
      string,
    ];

    // A claim whose sender died: the next tick finds its lease run out (unknown).
    const abandoned = await intake(envelope(interaction({ occurredAt: occurred })));
    await rt.dispatch.outbox.claim(abandoned.invitationId, at('2026-11-23T12:00:00Z'));

    // Dispatch at the send time: the shipped config sets no send rate, so GetAccount is read.
    expect(rt.dispatch.config.sending.maxSendRate).toBeUndefined();
    const dispatchAt = (iso: string) => createDispatchHandler(rt.dispatch, {}, () => at(iso))();
    const sent = await dispatchAt('2026-11-23T12:01:00Z');
    expect(sent).toMatchObject({ sent: 4, unknown: 1 });

    // Feedback: a delivery, a permanent bounce, a complaint.
    const feedback = createFeedbackHandler(rt.feedback);
    expect(await feedback(sesEvent('Delivery', supportId))).toBe('delivered');
    expect(await feedback(sesEvent('Bounce', bouncedId))).toBe('bounced');
    expect(await feedback(sesEvent('Complaint', quietId))).toBe('complained');

    // The customer answers low, then raises it; and unsubscribes.
    const app = createWebApp(rt.answer, { now: () => at('2026-11-23T12:30:00Z') });
    const [email] = await emailsTo(support.customer.email!);
    const link = new URL(scoreLinks(email!).get(3)!);
    expect((await app.request(`${link.pathname}${link.search}`)).status).toBe(200);
    const post = (path: string, body: string) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    expect((await post(link.pathname, 'score=3&comment=Slow')).status).toBe(200);
    expect((await post(link.pathname, 'score=9')).status).toBe(200);
    const unsubscribe = email!.headers?.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    const unsubscribePath = new URL(unsubscribe.slice(1, -1)).pathname;
    expect((await post(unsubscribePath, 'List-Unsubscribe=One-Click')).status).toBe(200);

    // A key rotation: a link signed with a key added after the answer function read the secret.
    const rotated = {
      activeKeyId: 'k2',
      keys: { k1: firstKey, k2: randomBytes(32).toString('base64url') },
    };
    secrets.put(secretArn, JSON.stringify({ activeKeyId: 'k2', ...rotated.keys }));
    const newLink = await new LinkSigner(rotated).sign({
      invitationId: orderId,
      expiresAt: at('2026-12-07T12:01:00Z'),
    });
    expect((await app.request(`/s/${newLink}`)).status).toBe(200);

    // The reminder (order-delivered, P3D) and the expiry (support-call's quiet twin, P7D).
    expect((await dispatchAt('2026-11-26T12:05:00Z')).reminders).toBe(1);
    // Expiry is derived (issue 19): the tick that finds the link closed writes nothing.
    expect(await dispatchAt('2026-11-30T12:05:00Z')).toMatchObject({ sent: 0, unknown: 0 });

    // Closing the loop. The support-call answer was raised before its request was handled: its
    // case opens withdrawn, and nobody is emailed. An order answered 1 opens a case and emails
    // its owner; still open past its deadline (one business day), the sweep marks it overdue.
    const followUp = (iso: string) => createFollowUpHandler(rt['follow-up'], () => at(iso));
    const request = async (invitationId: string) => {
      const answered = (await rt.answer.invitations.get(invitationId))!;
      return {
        'detail-type': 'Survey Follow-up Requested',
        detail: {
          version: '1',
          invitationId,
          interactionId: answered.interactionId,
          customerId: answered.customerId,
          touchpoint: answered.touchpoint,
          channel: answered.channel,
          metric: answered.metric,
          score: answered.history?.[0]?.score ?? answered.score,
          hasComment: false,
          answeredAt: answered.followUpRequestedAt,
          owner: { name: 'Owner', email: 'owner@acme.example' },
          threshold: 6,
          dueBy: answered.followUpRequestedAt,
        },
      };
    };
    expect(await followUp('2026-11-23T12:31:00Z')(await request(supportId))).toBe('opened');
    const [orderEmail] = await emailsTo(order.customer.email!);
    const orderLink = new URL(scoreLinks(orderEmail!).get(1)!);
    expect((await post(orderLink.pathname, 'score=1&comment=Late')).status).toBe(200);
    expect(await followUp('2026-11-23T12:31:00Z')(await request(orderId))).toBe('opened');
    const ownerEmails = (await emailsTo('fulfilment@acme.example')).filter((e) =>
      e.body.text?.includes(`/dashboard/cases/${orderId}`),
    );
    expect(ownerEmails).toHaveLength(1);
    expect(ownerEmails[0]!.body.html).toBeUndefined();
    expect(await followUp('2026-11-25T12:00:00Z')({ sweep: true })).toEqual({
      overdue: 1,
      escalated: 0,
      failed: 0,
    });

    // A tracking program's run: the directory (Query), the previous period (Query), each drawn
    // customer's suppression, contact and earlier invitation (GetItem), the invitation and the
    // contact claim (PutItem). A customer only imported (never surveyed) can be claimed.
    const imported = await rt.intake.contacts.get('imported-1');
    await rt.intake.contacts.recordProfile('imported-1', imported, {
      email: 'imported-1@example.com',
      seenOn: '2026-11-20',
    });
    // A retry after midnight: the run belongs to the period of its scheduled time.
    const launch = createLaunchHandler(rt.launch, () => at('2027-01-01T00:30:00Z'));
    const run = await launch({
      touchpoint: 'relationship',
      scheduledTime: '2026-12-07T10:00:00Z',
    });
    expect(run).toMatchObject({ period: '2026-12', scheduled: 1 });
    expect(run.skipped['cool-down']).toBeGreaterThan(0);
    await expect(launch({ touchpoint: 'support-call' })).rejects.toThrow(/no tracking or periodic/);

    // The counting, fed the table's stream as Lambda's event source mapping feeds it.
    const poller = new StreamPoller({
      endpoint: inject('dynamodbEndpoint'),
      tableName: env.count.TABLE_NAME!,
      handle: (batch) => inFunction('count', () => countStream(rt.count, batch)),
    });
    try {
      expect(await poller.drain()).toBeGreaterThan(0);
    } finally {
      await poller.stop();
    }

    // From which day the counters hold everything, as `afterword migrate-storage` records it.
    await rt.count.counters.recordCoverage(
      { since: '2026-11-01', timeZone: rt.count.config.timeZone },
      at('2026-11-24T00:00:00Z'),
    );
    // The nightly rollup from the counters, with its digest through the configuration set; then
    // the same days recomputed from the invitations, as an operator's invocation asks: the same rows.
    const rollup = createRollupHandler(rt.rollup, { dashboardUrl: env.rollup.DASHBOARD_URL }, () =>
      at('2026-11-24T02:30:00Z'),
    );
    const fromItems = await rollup({ days: 2, fromItems: true });
    const recomputed = await rt.rollup.rollups.range('2026-11-23', '2026-11-24');
    const result = await rollup({ days: 2 });
    expect(result.rows).toBeGreaterThan(0);
    expect(result.rows).toBe(fromItems.rows);
    expect(fromItems.digests).toBe(0); // a check mails nobody
    expect(await rt.rollup.rollups.range('2026-11-23', '2026-11-24')).toEqual(recomputed);
    expect(result.digests).toBeGreaterThan(0);
    // the first night counts the first key shapes (none in a new table), with its own grant
    expect(result.legacyShapes).toBe(0);
    await bus.idle();

    // The dashboard, signed in as a CX lead: the overview, a day's answers and comments, a
    // customer's timeline, an export (each view of comments and each export goes to the log).
    const morning = at('2026-11-24T09:00:00Z');
    const session = await new CookieSealer(
      { activeKeyId: sessionKeys.activeKeyId, keys: { s1: sessionKeys.s1 } },
      () => morning.getTime(),
    ).seal('session', { user: { sub: 'lead-1', roles: ['cx-lead'] }, csrf: 'c' }, 3600);
    const dashboard = createDashboardApp(rt.dashboard, { now: () => morning });
    const view = (path: string) =>
      dashboard.request(path, { headers: { cookie: `afterword_session=${session}` } });
    for (const path of [
      '/dashboard?range=7d',
      '/dashboard/answers?from=2026-11-23&to=2026-11-23&touchpoint=support-call',
      `/dashboard/customers/${encodeURIComponent(support.customer.id)}`,
      '/dashboard/export.csv?range=7d',
      '/dashboard/follow-up?days=90',
    ]) {
      const response = await view(path);
      expect(response.status, path).toBe(200);
    }
    expect(await (await view('/dashboard?range=7d')).text()).toContain('support-call');
    // The owner's queue, and a case moved from it.
    expect(await (await view('/dashboard/cases?status=all')).text()).toContain(orderId.slice(0, 8));
    const moved = await dashboard.request(`/dashboard/cases/${orderId}`, {
      method: 'POST',
      headers: {
        cookie: `afterword_session=${session}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'csrf=c&action=contacted&note=Called%20back',
    });
    expect(moved.status).toBe(303);
    // the rollup wrote each recomputed day's rows for BI tools
    const exported = [...aws.state.objects.keys()];
    expect(exported).toContain(`${env.rollup.EXPORT_BUCKET}/rollups/day=2026-11-23/rollup.jsonl`);

    // What a CX analyst reads of the deployed stack, with the stack's analyst policy:
    // `afterword report | customer | digest | events | dead-letters --stack`.
    const outputs = deployed.outputs();
    aws.state.stacks.set('Afterword', outputs);
    aws.state.logGroups.set(outputs.EventArchiveLogGroup!, [
      JSON.stringify({
        id: '1',
        time: '2026-11-23T12:30:00Z',
        source: 'afterword',
        'detail-type': 'Survey Answered',
        detail: { invitationId: supportId },
      }),
    ]);
    // one failure waiting in each dead-letter queue
    for (const pair of outputs.DeadLetterQueueUrls!.split(',')) {
      aws.state.queues.set(pair.split('/').pop()!, [
        {
          body: JSON.stringify({
            responsePayload: { errorType: 'InvalidEventError', errorMessage: 'bad' },
          }),
        },
      ]);
    }
    await inFunction('analyst', async () => {
      const remote = await openStack({
        stackName: 'Afterword',
        region: REGION,
        endpoints: {
          cloudformation: aws.endpoint,
          dynamodb: inject('dynamodbEndpoint'),
          logs: aws.endpoint,
          sqs: aws.endpoint,
        },
      });
      try {
        expect(remote.configDiffers).toBe(false);
        const rows = await report(remote.runtime, { from: '2026-11-23', to: '2026-11-23' });
        expect(rows.some((row) => row.touchpoint === 'support-call')).toBe(true);
        expect(
          (await customerTimeline(remote.runtime, support.customer.id)).length,
        ).toBeGreaterThan(0);
        // `afterword customer ID --format json --stack`: an access request, cases included.
        const access = await customerRecord(remote.runtime, order.customer.id, morning);
        expect(access.cases).toHaveLength(1);
        expect(access.invitations.map((i) => i.comment)).toContain('Late');
        const digest = await buildDigest(remote.runtime, {
          now: at('2026-11-24T08:00:00Z'),
          dashboardUrl: outputs.DashboardUrl!,
        });
        expect(digest.text).toContain(outputs.DashboardUrl);
        expect(await remote.events({ limit: 5 })).toHaveLength(1);
        // `afterword plan relationship --stack`: the directory and last period, read only.
        expect(
          (await plan(remote.runtime, 'relationship', at('2026-12-07T09:00:00Z'))).population,
        ).toBeGreaterThan(0);
        const queues = await remote.deadLetters();
        expect(queues.find((q) => q.queue === 'intake')).toMatchObject({
          count: 1,
          errors: [{ error: 'InvalidEventError: bad' }],
        });
      } finally {
        remote.close();
      }
    });

    // Erasure: the order customer by id (an invitation with a case), then the support customer
    // by address (the directory's Query), found by the keyed hash their unsubscribe left.
    const erase = createErasureHandler(rt.erasure);
    const byId = await erase({
      detail: { version: '1', requestId: `req-${randomUUID()}`, customerId: order.customer.id },
    });
    expect(byId.counts).toMatchObject({ customers: 1, cases: 1, contacts: 1 });
    expect(byId.counts.invitations).toBeGreaterThanOrEqual(1);
    const byAddress = await erase({
      detail: { version: '1', requestId: `req-${randomUUID()}`, email: support.customer.email },
    });
    expect(byAddress.counts).toMatchObject({ customers: 1, optOutsKept: 1 });
    expect(byAddress.counts.invitations).toBeGreaterThanOrEqual(2);

    // `afterword forget --stack`, with the stack's privacy policy: the request put on the bus,
    // delivered by the rule (here by hand), its record read back.
    await inFunction('privacy', async () => {
      const remote = await openStack({
        stackName: 'Afterword',
        region: REGION,
        endpoints: {
          cloudformation: aws.endpoint,
          dynamodb: inject('dynamodbEndpoint'),
          events: busUrl,
        },
      });
      try {
        const detail = erasureRequestFor(quiet.customer.id, `cli-${randomUUID()}`);
        await remote.requestErasure(detail);
        await erase({ detail });
        const record = await awaitErasure(() => remote.runtime.erasures.get(detail.requestId), {
          waitMs: 5000,
        });
        expect(record?.counts).toMatchObject({ customers: 1 });
      } finally {
        remote.close();
      }
    });
    await bus.idle();
  });

  it('replays dead letters onto their functions, and smoke-tests the stack, with the operator policy', async () => {
    const outputs = deployed.outputs();
    const targets = Object.fromEntries(
      outputs.ReplayTargets!.split(',').map((pair) => pair.split('=') as [string, string]),
    );
    expect(Object.keys(targets).sort()).toEqual([
      'dispatch',
      'erasure',
      'feedback',
      'follow-up',
      'intake',
      'launch',
      'rollup',
    ]);
    // Each function's queue holds a Lambda on-failure record; the event archive's an event,
    // which no function takes.
    const queueOf = new Map<string, string>();
    for (const pair of outputs.DeadLetterQueueUrls!.split(',')) {
      const [name, url] = pair.split('=') as [string, string];
      const queue = url.split('/').pop()!;
      queueOf.set(name, queue);
      aws.state.queues.set(
        queue,
        targets[name]
          ? [
              {
                body: JSON.stringify({
                  version: '1.0',
                  requestContext: {
                    functionArn: `${targets[name]}:$LATEST`,
                    condition: 'RetriesExhausted',
                  },
                  requestPayload: { replayOf: name },
                  responsePayload: { errorType: 'Error', errorMessage: 'throttled' },
                }),
              },
            ]
          : [{ body: JSON.stringify({ 'detail-type': 'Survey Answered', detail: {} }) }],
      );
    }
    aws.state.stacks.set('Afterword', outputs);
    const endpoints = {
      cloudformation: aws.endpoint,
      dynamodb: inject('dynamodbEndpoint'),
      sqs: aws.endpoint,
      lambda: aws.endpoint,
      secrets: secrets.endpoint,
    };
    await inFunction('operator', async () => {
      const remote = await openStack({ stackName: 'Afterword', region: REGION, endpoints });
      try {
        const replayed = await remote.replayDeadLetters();
        expect(replayed.map((r) => r.queue).sort()).toEqual(Object.keys(targets).sort());
        expect(replayed.every((r) => r.replayed === 1 && r.kept === 0)).toBe(true);
      } finally {
        remote.close();
      }
    });
    // Each function was invoked asynchronously with the request it had failed on, once.
    expect(
      aws.state.invocations.map((i) => [
        i.functionName,
        i.invocationType,
        JSON.parse(i.payload) as unknown,
      ]),
    ).toEqual(
      expect.arrayContaining(
        Object.entries(targets).map(([name, arn]) => [arn, 'Event', { replayOf: name }]),
      ),
    );
    expect(aws.state.invocations).toHaveLength(Object.keys(targets).length);
    for (const name of Object.keys(targets))
      expect(aws.state.queues.get(queueOf.get(name)!)).toEqual([]);
    expect(aws.state.queues.get(queueOf.get('eventArchive')!)).toHaveLength(1);

    // `afterword smoke --stack`: the stack's rules deliver to intake and feedback, the
    // dispatcher runs on a short tick, the survey endpoint serves the answer function's app.
    const intake = createIntakeHandler(rt.intake);
    const feedback = createFeedbackHandler(rt.feedback);
    const smokeBus = new LocalEventBus({
      busName: env.answer.EVENT_BUS_NAME!,
      rules: Object.values(RULES),
      targets: {
        intake: (event) => intake(event),
        feedback: (event) => feedback(event),
        'follow-up': () => Promise.resolve(),
        erasure: () => Promise.resolve(),
      },
      deadLetters: new MemoryJournal<DeadLetter>(),
    });
    const smokeBusUrl = await smokeBus.listen(0);
    const web = serve({ fetch: createWebApp(rt.answer).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((ready) => web.once('listening', ready));
    const surveyUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    let ticking = true;
    const dispatcher = (async () => {
      const dispatch = createDispatchHandler(rt.dispatch, {});
      while (ticking) {
        await dispatch();
        await new Promise((tick) => setTimeout(tick, 200));
      }
    })();
    try {
      aws.state.stacks.set('Smoke', { ...outputs, SurveyUrl: surveyUrl });
      await inFunction('operator', async () => {
        const remote = await openStack({
          stackName: 'Smoke',
          region: REGION,
          endpoints: { ...endpoints, events: smokeBusUrl },
        });
        try {
          const result = await runSmoke(stackSmokeTarget(remote), {
            stepWaitMs: 20_000,
            pollMs: 100,
            // What SES's mailbox simulator does: a Delivery event on the default bus.
            onStep: (step, invitationId) => {
              if (step.step === 'recorded') feedbackOnDefaultBus(smokeBus, invitationId);
            },
          });
          expect(result.steps.map((s) => s.step)).toEqual([
            'decided',
            'sent',
            'page',
            'answered',
            'recorded',
            'delivered',
          ]);
          const answered = (await rt.answer.invitations.get(result.invitationId))!;
          expect(answered).toMatchObject({ score: 10, segment: SMOKE_SEGMENT });
          expect(answered.email).toBe(SMOKE_ADDRESS);
        } finally {
          remote.close();
        }
      });
    } finally {
      ticking = false;
      await dispatcher;
      await smokeBus.close();
      await new Promise((closed) => web.close(closed));
    }
  });

  it('runs the review programme through the answer and dispatch functions: the invitation, the click, the follow-up email', async () => {
    // The shipped config has no review setting; these two functions' programs get one here, so
    // the calls the programme makes are recorded under each function for the permission contract.
    const programs = [rt.answer, rt.dispatch].map((r) => r.programFor('support-call')!);
    for (const program of programs) {
      program.review = {
        destinations: { en: 'https://reviews.example.com/acme' },
        followUpAfter: 'P2D',
        followUpOncePer: 'P90D',
      };
    }
    try {
      const intake = createIntakeHandler(rt.intake, () => at(occurred));
      const clicks = interaction({ occurredAt: occurred });
      const waits = interaction({ occurredAt: occurred });
      for (const detail of [clicks, waits]) await intake(envelope(detail));
      await createDispatchHandler(rt.dispatch, {}, () => at('2026-11-23T12:01:00Z'))();
      const app = createWebApp(rt.answer, { now: () => at('2026-11-23T12:30:00Z') });
      const promote = async (address: string) => {
        const [email] = await emailsTo(address);
        const path = new URL(scoreLinks(email!).get(10)!).pathname;
        const page = await app.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'score=10',
        });
        return /href="(\/r\/[^"]+)"/.exec(await page.text())![1]!;
      };
      const review = await promote(clicks.customer.email!);
      await promote(waits.customer.email!);
      const followed = await app.request(review);
      expect(followed.status).toBe(303);
      expect(followed.headers.get('location')).toBe('https://reviews.example.com/acme');
      // two days on, the one who did not follow it gets the email
      const tick = await createDispatchHandler(rt.dispatch, {}, () => at('2026-11-25T12:31:00Z'))();
      expect(tick.reviewEmails).toBe(1);
      const sent = await emailsTo(waits.customer.email!);
      expect(sent.at(-1)!.subject).toBe('Would you share your experience with Acme?');
    } finally {
      for (const program of programs) delete program.review;
    }
  });

  it('moves an old-shape table onto the current one with the operator policy (migrate-storage --stack)', async () => {
    aws.state.stacks.set('Afterword', deployed.outputs());
    const table = rt.dispatch.settings.tableName;
    const doc = DynamoDBDocumentClient.from(rt.dispatch.dynamodb);
    // An entry where the shape before issue 19 kept a held claim: LEASE, at the lease's end.
    const invitationId = `legacy-${randomUUID()}`;
    const leaseEnd = '2026-11-23T12:40:00.000Z';
    await doc.send(
      new PutCommand({
        TableName: table,
        // decided before the counters (no inCounters mark), on its day in the day index
        Item: {
          invitationId,
          ...invitationKey(invitationId),
          ...queueKeys('LEASE', invitationId, leaseEnd),
          ...dayKeys(invitationId, leaseEnd, undefined),
        },
      }),
    );
    const endpoints = {
      cloudformation: aws.endpoint,
      dynamodb: inject('dynamodbEndpoint'),
      secrets: secrets.endpoint,
    };
    await inFunction('operator', async () => {
      const remote = await openStack({ stackName: 'Afterword', region: REGION, endpoints });
      try {
        const remoteDoc = DynamoDBDocumentClient.from(remote.runtime.dynamodb);
        const legacy = new LegacyOutbox(remoteDoc, remote.runtime.settings.tableName);
        const counting = countingMigration(
          remote.runtime,
          new DayIndex(remoteDoc, remote.runtime.settings.tableName),
          at('2026-11-24T01:00:00Z'),
        );
        expect(await migrateStorage(legacy, undefined, counting)).toMatchObject({
          leasesToDue: 1,
          markedForCounting: 1,
        });
      } finally {
        remote.close();
      }
    });
    const { Item } = await doc.send(
      new GetCommand({ TableName: table, Key: invitationKey(invitationId), ConsistentRead: true }),
    );
    expect(Item?.[INDEX.outbox.pk]).toBe(queueKeys('DUE', invitationId, leaseEnd)[INDEX.outbox.pk]);
    await doc.send(new DeleteCommand({ TableName: table, Key: invitationKey(invitationId) }));
  });

  it('recorded the calls of every function, each under its own name', () => {
    const calls = readRecordedCalls();
    for (const name of [...Object.keys(NEEDS), 'analyst', 'privacy', 'operator']) {
      expect(
        calls.some((call) => call.function === name),
        name,
      ).toBe(true);
    }
    // the answer function read the secret again for the rotated key
    expect(secrets.reads()).toBeGreaterThanOrEqual(3);
  });
});
