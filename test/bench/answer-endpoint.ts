/**
 * Benchmark: the survey web app under load, against a minimal handler on the same server in the
 * same run. The minimal handler answers "ok" behind the same middleware (security headers, no-store),
 * so the ratio shows what the survey's own work costs: verifying the link, reading the invitation,
 * rendering the page; and for the POST, the conditional write and the events.
 */
import { serve } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { INTERACTION_COMPLETED } from '../../lib/contracts/interaction.js';
import { fetchStoredEmails } from '../../lib/local/ses.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { createWebApp } from '../../lib/web/app.js';
import { percentile } from './stats.js';
import { benchRuntime } from './support.js';

export interface LoadFigures {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface AnswerEndpointResult {
  concurrency: number;
  minimal: LoadFigures;
  surveyPage: LoadFigures;
  answerPost: LoadFigures;
  /** Survey page and answer POST throughput as a share of the minimal handler's. */
  pageRatio: number;
  postRatio: number;
}

export async function answerEndpoint(
  endpoints: { dynamodb: string; ses: string },
  options: { surveys?: number; seconds?: number; concurrency?: number } = {},
): Promise<AnswerEndpointResult> {
  const { surveys = 1000, seconds = 5, concurrency = 16 } = options;
  const wired: { fetch?: (request: Request) => Response | Promise<Response> } = {};
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve(
      { fetch: (request) => wired.fetch!(request), port: 0, hostname: '127.0.0.1' },
      () => resolve(started),
    );
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // EventBridge is not what is measured here: the runtime's publisher only counts.
  const { rt } = await benchRuntime(endpoints, { name: 'answer', publicBaseUrl: origin });
  try {
    const app = createWebApp(rt, {
      routes: (routes) => routes.get('/bench/minimal', (c) => c.text('ok')),
    });
    wired.fetch = (request) => app.fetch(request);

    const runId = randomUUID().slice(0, 8);
    const now = new Date();
    for (let i = 0; i < surveys; i++) {
      await intake(
        rt,
        {
          'detail-type': INTERACTION_COMPLETED,
          source: 'bench.producer',
          detail: {
            interactionId: `answer-${runId}-${i}`,
            occurredAt: now.toISOString(),
            touchpoint: 'support-call',
            channel: 'web',
            customer: { id: `answer-${runId}-${i}`, email: `answer-${runId}-${i}@example.com` },
          },
        },
        now,
      );
    }
    for (let sent = 0, tick = 0; sent < surveys && tick < 100; tick++) {
      sent += (await dispatch(rt, new Date(), { batchSize: 100, concurrency: 16 })).sent;
    }
    const links = (await fetchStoredEmails(endpoints.ses))
      .filter((email) => email.destination.to[0]?.startsWith(`answer-${runId}-`))
      .map((email) => /^10: (\S+)$/m.exec(email.body.text ?? '')?.[1])
      .filter((link): link is string => !!link);
    if (links.length !== surveys) throw new Error(`${surveys} surveys, ${links.length} links`);

    const minimal = await load(concurrency, { seconds }, () => fetch(`${origin}/bench/minimal`));
    let page = 0;
    const surveyPage = await load(concurrency, { seconds }, () =>
      fetch(links[page++ % links.length]!),
    );
    let post = 0;
    const answerPost = await load(concurrency, { requests: links.length }, () => {
      const url = new URL(links[post++]!);
      return fetch(`${url.origin}${url.pathname}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'same-origin',
        },
        body: 'score=9',
      });
    });
    return {
      concurrency,
      minimal,
      surveyPage,
      answerPost,
      pageRatio: surveyPage.requestsPerSecond / minimal.requestsPerSecond,
      postRatio: answerPost.requestsPerSecond / minimal.requestsPerSecond,
    };
  } finally {
    rt.dynamodb.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  }
}

/** `concurrency` clients in a closed loop, for a time or a number of requests. */
async function load(
  concurrency: number,
  until: { seconds?: number; requests?: number },
  request: () => Promise<Response>,
): Promise<LoadFigures> {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = until.seconds ? started + until.seconds * 1000 : Number.POSITIVE_INFINITY;
  const more = () =>
    performance.now() < deadline && (until.requests === undefined || issued < until.requests);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more()) {
        issued += 1;
        const sent = performance.now();
        const response = await request();
        await response.arrayBuffer();
        latencies.push(performance.now() - sent);
        if (response.status !== 200) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    errors,
  };
}
