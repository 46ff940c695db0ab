/**
 * The embedded local stack: DynamoDB Local, the SES emulator, a PutEvents-compatible bus routing
 * by the stack's own rules, the survey web app, and the dispatcher on a short tick. The handlers
 * are the Lambda handlers' own code, called in-process.
 */
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { join } from 'node:path';
import { createFeedbackHandler } from '../handlers/feedback.js';
import { createIntakeHandler } from '../handlers/intake.js';
import { log } from '../adapters/log.js';
import { loadConfig } from '../config/load.js';
import { RULES } from '../contracts/rules.js';
import { AFTERWORD_SOURCE } from '../contracts/survey-events.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { ensureTable } from '../store/table.js';
import { createWebApp } from '../web/app.js';
import { localStartPage } from '../web/message-pages.js';
import { createDashboardApp } from '../web/dashboard-app.js';
import { createFollowUpHandler } from '../handlers/follow-up.js';
import { createErasureHandler } from '../handlers/erasure.js';
import type { Program } from '../domain/program.js';
import { nextRun } from '../domain/tracking.js';
import { scheduleOf } from '../usecases/tracking.js';
import { launch } from '../usecases/tracking-launch.js';
import { LocalEventBus } from './bus.js';
import {
  FileJournal,
  MemoryJournal,
  type DeadLetterSink,
  type EventLog,
  type Journal,
} from './dead-letters.js';
import { startDynamoDbLocal, type RunningDynamoDb } from './dynamodb.js';
import { assertPortFree } from './ports.js';
import {
  LOCAL_GROUPS_CLAIM,
  LOCAL_OIDC_CLIENT_ID,
  localUsers,
  startLocalOidcProvider,
} from './oidc.js';
import { startSesEmulator, type RunningSes } from './ses.js';
import {
  DEFAULT_TABLE,
  LOCAL_BUS_NAME,
  LOCAL_REGION,
  localConsentKey,
  localSigningKeys,
} from './settings.js';
import { startDispatcherLoop } from './dispatcher-loop.js';
import { countingPoller, type StreamPoller } from './stream-poller.js';

export interface LocalStackOptions {
  ports: { dynamodb: number; ses: number; bus: number; web: number; oidc?: number };
  /** Keeps DynamoDB data, the link secret and dead letters here; in memory when unset. */
  dataDir?: string;
  /** Reuse already running DynamoDB Local / SES emulator (tests start them once). */
  external?: { dynamodb?: string; ses?: string };
  configPath?: string;
  tableName?: string;
  instant?: boolean;
  dispatchIntervalMs?: number;
  /** How often follow-up deadlines are swept (overdue, escalation). @default 30000 */
  followUpSweepMs?: number;
  /** Survey and unsubscribe requests one client may make per minute. @default 120 */
  rateLimitPerMinute?: number;
}

export interface LocalStack {
  /** `oidc`: the local OpenID Connect provider the dashboard signs in with. */
  urls: { dynamodb: string; ses: string; bus: string; web: string; oidc: string };
  runtime: Runtime;
  bus: LocalEventBus;
  deadLetters: DeadLetterSink;
  eventLog: EventLog;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const config = loadConfig(options.configPath);
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne().catch(() => undefined);
  };
  try {
    // Fail before starting anything when a port we would open is taken.
    if (options.ports.bus)
      await assertPortFree(options.ports.bus, 'the local event bus', 'AFTERWORD_BUS_PORT');
    if (options.ports.web)
      await assertPortFree(options.ports.web, 'the survey web app', 'AFTERWORD_WEB_PORT');
    if (options.ports.oidc)
      await assertPortFree(options.ports.oidc, 'the local sign-in provider', 'AFTERWORD_OIDC_PORT');

    let dynamodbEndpoint = options.external?.dynamodb;
    if (!dynamodbEndpoint) {
      const dynamodb: RunningDynamoDb = await startDynamoDbLocal({
        port: options.ports.dynamodb,
        dataDir: options.dataDir ? join(options.dataDir, 'dynamodb') : undefined,
      });
      stoppers.push(() => dynamodb.stop());
      dynamodbEndpoint = dynamodb.endpoint;
    }
    let sesEndpoint = options.external?.ses;
    if (!sesEndpoint) {
      const ses: RunningSes = await startSesEmulator({ port: options.ports.ses });
      stoppers.push(() => ses.stop());
      sesEndpoint = ses.endpoint;
    }

    const journal = <T>(file: string): Journal<T> =>
      options.dataDir ? new FileJournal<T>(join(options.dataDir, file)) : new MemoryJournal<T>();
    const deadLetters: DeadLetterSink = journal('dead-letters.jsonl');
    const eventLog: EventLog = journal('events.jsonl');
    // The bus and the web server must listen before the runtime exists (it needs their URLs), so
    // their handlers reach the runtime through this holder, filled in once it is built.
    // The node server's bindings (`env`) carry the socket, which the per-client limit reads.
    const wired: {
      runtime?: Runtime;
      fetch?: (request: Request, env: unknown) => Response | Promise<Response>;
      wakeDispatcher?: () => void;
      counting?: StreamPoller;
    } = {};
    const bus = new LocalEventBus({
      busName: LOCAL_BUS_NAME,
      rules: RULES,
      targets: {
        // In instant mode a survey is due as soon as it is decided: wake the dispatcher at once
        // instead of leaving it to the next tick.
        intake: async (event) => {
          const result = await createIntakeHandler(wired.runtime!)(event);
          if (options.instant) wired.wakeDispatcher?.();
          return result;
        },
        feedback: (event) => createFeedbackHandler(wired.runtime!)(event),
        'follow-up': (event) => createFollowUpHandler(wired.runtime!)(event),
        erasure: (event) => createErasureHandler(wired.runtime!)(event),
      },
      deadLetters,
      // Afterword's own events, as a subscriber on the bus would see them (`afterword events`).
      onAccepted: (event) => {
        if (event.source === AFTERWORD_SOURCE) eventLog.add(event);
      },
      permanentErrors: ['InvalidEventError'],
    });
    const busUrl = await bus.listen(options.ports.bus);
    stoppers.push(() => bus.idle().then(() => bus.close()));

    // The web app's port must be known before links are signed, so bind it first.
    let webServer: ServerType | undefined;
    const webUrl = await new Promise<string>((resolve, reject) => {
      webServer = serve(
        {
          fetch: (request, env) =>
            wired.fetch ? wired.fetch(request, env) : new Response('starting', { status: 503 }),
          port: options.ports.web,
          hostname: '127.0.0.1',
        },
        (info) => resolve(`http://127.0.0.1:${info.port}`),
      );
      webServer.once('error', reject);
    });
    stoppers.push(() => new Promise<void>((done) => webServer!.close(() => done())));

    // The dashboard signs in locally through a real OpenID Connect provider, as on AWS.
    const oidc = await startLocalOidcProvider({
      port: options.ports.oidc ?? 0,
      redirectUris: [`${webUrl}/dashboard/auth/callback`],
      postLogoutRedirectUris: [`${webUrl}/dashboard/auth/signed-out`],
      users: localUsers(config),
    });
    stoppers.push(() => oidc.stop());
    const signing = localSigningKeys(options.dataDir);

    const runtime = createRuntime({
      config,
      tableName: options.tableName ?? DEFAULT_TABLE,
      region: LOCAL_REGION,
      eventBusName: LOCAL_BUS_NAME,
      publicBaseUrl: webUrl,
      signing,
      consentKey: localConsentKey(options.dataDir),
      endpoints: { dynamodb: dynamodbEndpoint, ses: sesEndpoint, events: busUrl },
      instant: options.instant,
      // A rollup reads the counters once the stream's records of everything written are counted.
      catchUpCounting: () => wired.counting?.drain() ?? Promise.resolve(),
      // The rollup's files for BI tools, as the S3 export bucket holds them on AWS.
      ...(options.dataDir ? { exports: { dir: join(options.dataDir, 'exports') } } : {}),
      dashboard: {
        sessionKeys: signing,
        oidc: {
          issuer: oidc.issuer,
          clientId: LOCAL_OIDC_CLIENT_ID,
          redirectUri: `${webUrl}/dashboard/auth/callback`,
          groupsClaim: LOCAL_GROUPS_CLAIM,
          allowHttp: true,
        },
      },
    });
    await ensureTable(runtime.dynamodb, runtime.settings.tableName, {
      countersFrom: { timeZone: runtime.config.timeZone },
      noLegacyShapes: true,
    });
    wired.runtime = runtime;
    const app = createWebApp(runtime, {
      // A start page, locally: the mailbox, the dashboard and the next commands.
      routes: (routes) =>
        routes.get('/', (c) =>
          c.html(localStartPage({ mailbox: `${sesEndpoint}/`, dashboard: `${webUrl}/dashboard` })),
        ),
      rateLimit: {
        requests: options.rateLimitPerMinute ?? 120,
        windowMs: 60_000,
        clientKey: (c) => getConnInfo(c).remote.address ?? 'unknown',
      },
    });
    // As on AWS, where the API routes /dashboard to the dashboard's own function.
    const dashboard = createDashboardApp(runtime);
    wired.fetch = (request, env) =>
      new URL(request.url).pathname.startsWith('/dashboard')
        ? dashboard.fetch(request, env)
        : app.fetch(request, env);

    // Follow-up deadlines: the schedule sweeps every 5 minutes on AWS; locally every 30 seconds.
    const sweep = createFollowUpHandler(runtime);
    let sweeping: Promise<unknown> | undefined;
    const sweepTimer = setInterval(() => {
      sweeping ??= sweep({ sweep: true })
        .catch((error: Error) => log.error('follow-up.sweep-failed', { error: error.name }))
        .finally(() => (sweeping = undefined));
    }, options.followUpSweepMs ?? 30_000);
    stoppers.push(async () => {
      clearInterval(sweepTimer);
      await sweeping;
    });

    // Tracking and periodic programs: a timer each for its next run, as its Scheduler schedule
    // on AWS (a run missed while the stack was stopped is not made up: `afterword launch` runs it).
    const launches: Promise<unknown>[] = [];
    const launchTimers = new Map<string, NodeJS.Timeout>();
    const planLaunch = (program: Program) => {
      const due = nextRun(scheduleOf(runtime, program), new Date());
      // setTimeout holds at most ~24.8 days: wake then, and plan again.
      const wait = Math.min(due.getTime() - Date.now(), 2 ** 31 - 1);
      const timer = setTimeout(() => {
        if (Date.now() >= due.getTime()) {
          const run = launch(runtime, program.touchpoint, new Date()).catch((error: Error) =>
            log.error('launch.failed', { touchpoint: program.touchpoint, error: error.name }),
          );
          launches.push(run);
        }
        planLaunch(program);
      }, wait);
      timer.unref();
      launchTimers.set(program.touchpoint, timer);
    };
    for (const program of runtime.config.programs) {
      if (program.kind !== 'event' && program.enabled) planLaunch(program);
    }
    stoppers.push(async () => {
      for (const timer of launchTimers.values()) clearTimeout(timer);
      await Promise.all(launches);
    });

    const dispatcher = startDispatcherLoop(
      runtime,
      options.dispatchIntervalMs ?? (options.instant ? 1000 : 5000),
    );
    stoppers.push(() => dispatcher.stop());
    wired.wakeDispatcher = dispatcher.wake;

    // The rollup's counters, from the table's stream, as the Count function keeps them on AWS.
    const counting = countingPoller(runtime, dynamodbEndpoint, deadLetters);
    counting.start(options.instant ? 1000 : 5000);
    wired.counting = counting;
    stoppers.push(() => counting.stop());

    return {
      urls: {
        dynamodb: dynamodbEndpoint,
        ses: sesEndpoint,
        bus: busUrl,
        web: webUrl,
        oidc: oidc.issuer,
      },
      runtime,
      bus,
      deadLetters,
      eventLog,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
