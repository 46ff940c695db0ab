/**
 * Benchmark: one client floods the survey web app with bad tokens while 16 well-behaved clients
 * open their surveys, answer them and unsubscribe, each from its own loopback address (127.0.0.x:
 * the per-client limit tells clients apart by address, as on the local stack). The same work runs
 * once without the flood, so the flooded p99 is read against the unflooded one, in one run.
 * Bounded in count and time, against 127.0.0.1 only.
 */
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERACTION_COMPLETED } from '../../lib/contracts/interaction.js';
import { fetchStoredEmails } from '../../lib/local/ses.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { createWebApp } from '../../lib/web/app.js';
import { percentile } from './stats.js';
import { benchRuntime } from './support.js';

export interface FloodPhase {
  /** Well-behaved requests made, and those answered 200. */
  requests: number;
  succeeded: number;
  successRate: number;
  p50Ms: number;
  p99Ms: number;
}

export interface FloodResult {
  clients: number;
  /** Surveys each well-behaved client works through per phase (page, answer, unsubscribe). */
  surveysPerClient: number;
  unflooded: FloodPhase;
  flooded: FloodPhase;
  /** The flooder's requests while the others worked, and how many the limit refused (429). */
  flood: { requests: number; refused: number; requestsPerSecond: number };
  /** Flooded p99 over unflooded p99 (target ≤ 2). */
  p99Ratio: number;
}

interface Survey {
  page: string;
  unsubscribe: string;
}

/** One HTTP request from `agent` (bound to the client's address); status and milliseconds. */
function send(
  origin: URL,
  agent: Agent,
  path: string,
  method: 'GET' | 'POST',
  body?: string,
): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: origin.hostname,
        port: origin.port,
        path,
        method,
        agent,
        headers: body
          ? {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
              'sec-fetch-site': 'same-origin',
            }
          : {},
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }),
        );
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`timed out: ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function flood(
  endpoints: { dynamodb: string; ses: string },
  options: { clients?: number; surveysPerClient?: number; flooders?: number } = {},
): Promise<FloodResult> {
  const { clients = 16, surveysPerClient = 6, flooders = 32 } = options;
  const wired: { app?: ReturnType<typeof createWebApp> } = {};
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve(
      {
        fetch: (request, env) => wired.app!.fetch(request, env),
        port: 0,
        hostname: '127.0.0.1',
      },
      () => resolve(started),
    );
  });
  const origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const { rt } = await benchRuntime(endpoints, { name: 'flood', publicBaseUrl: origin.origin });
  try {
    // The local stack's limit: 120 requests a minute per client address.
    wired.app = createWebApp(rt, {
      rateLimit: {
        requests: 120,
        windowMs: 60_000,
        clientKey: (c) => getConnInfo(c).remote.address ?? 'unknown',
      },
    });
    const runId = randomUUID().slice(0, 8);
    const total = clients * surveysPerClient * 2; // two phases
    const now = new Date();
    for (let i = 0; i < total; i++) {
      await intake(
        rt,
        {
          'detail-type': INTERACTION_COMPLETED,
          source: 'bench.producer',
          detail: {
            interactionId: `flood-${runId}-${i}`,
            occurredAt: now.toISOString(),
            touchpoint: 'support-call',
            channel: 'web',
            customer: { id: `flood-${runId}-${i}`, email: `flood-${runId}-${i}@example.com` },
          },
        },
        now,
      );
    }
    for (let sent = 0, tick = 0; sent < total && tick < 100; tick++) {
      sent += (await dispatch(rt, new Date(), { batchSize: 100, concurrency: 16 })).sent;
    }
    const surveys: Survey[] = (await fetchStoredEmails(endpoints.ses))
      .filter((email) => email.destination.to[0]?.startsWith(`flood-${runId}-`))
      .map((email) => ({
        page: /^10: (\S+)$/m.exec(email.body.text ?? '')?.[1] ?? '',
        unsubscribe:
          /<(http[^>]+\/u\/[^>]+)>/.exec(
            email.headers?.find((h) => h.name === 'List-Unsubscribe')?.value ?? '',
          )?.[1] ?? '',
      }))
      .filter((survey) => survey.page && survey.unsubscribe);
    if (surveys.length !== total) throw new Error(`${total} surveys, ${surveys.length} links`);

    const agents = Array.from(
      { length: clients },
      (_, i) => new Agent({ keepAlive: true, localAddress: `127.0.0.${10 + i}` }),
    );
    /** Each client works through its surveys: the page, the answer, then the one-click unsubscribe. */
    const work = async (batch: Survey[]): Promise<FloodPhase> => {
      const latencies: number[] = [];
      let succeeded = 0;
      await Promise.all(
        agents.map(async (agent, client) => {
          for (const survey of batch.slice(
            client * surveysPerClient,
            (client + 1) * surveysPerClient,
          )) {
            const page = new URL(survey.page);
            const unsubscribe = new URL(survey.unsubscribe);
            for (const [path, method, body] of [
              [`${page.pathname}${page.search}`, 'GET', undefined],
              [page.pathname, 'POST', 'score=9'],
              [unsubscribe.pathname, 'POST', 'List-Unsubscribe=One-Click'],
            ] as const) {
              const { status, ms } = await send(origin, agent, path, method, body);
              latencies.push(ms);
              if (status === 200) succeeded += 1;
            }
          }
        }),
      );
      return {
        requests: latencies.length,
        succeeded,
        successRate: succeeded / latencies.length,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
      };
    };
    // Warm-up (JIT, connections), outside the limit: the first phase is not the cold one.
    for (let round = 0; round < 20; round++) {
      await Promise.all(agents.map((agent) => send(origin, agent, '/healthz', 'GET')));
    }
    const half = clients * surveysPerClient;
    const unflooded = await work(surveys.slice(0, half));

    // The flood: garbage tokens from one address, as fast as `flooders` connections go.
    const flooder = new Agent({ keepAlive: true, localAddress: '127.0.0.2', maxSockets: flooders });
    let flooding = true;
    let floodRequests = 0;
    let refused = 0;
    const floodStarted = performance.now();
    const floodLoops = Array.from({ length: flooders }, async () => {
      while (flooding) {
        const { status } = await send(origin, flooder, `/s/${randomUUID()}.bad`, 'GET');
        floodRequests += 1;
        if (status === 429) refused += 1;
      }
    });
    // Let the flood reach full speed before the well-behaved clients start.
    while (floodRequests < 500) await new Promise((done) => setTimeout(done, 20));
    const flooded = await work(surveys.slice(half));
    flooding = false;
    await Promise.all(floodLoops);
    const floodSeconds = (performance.now() - floodStarted) / 1000;
    for (const agent of [...agents, flooder]) agent.destroy();
    return {
      clients,
      surveysPerClient,
      unflooded,
      flooded,
      flood: {
        requests: floodRequests,
        refused,
        requestsPerSecond: floodRequests / floodSeconds,
      },
      p99Ratio: flooded.p99Ms / unflooded.p99Ms,
    };
  } finally {
    rt.dynamodb.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  }
}
