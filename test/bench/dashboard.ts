/**
 * Benchmark: the CX dashboard's overview over 90 days and every cell of the shipped demo config
 * (each demo touchpoint × its channels × segments × journey step, every day), rendered from the
 * rollup rows on DynamoDB Local, signed in; against a bare page of the same app (its stylesheet)
 * as the floor. One client, one request at a time: the figure is one CX lead's wait.
 */
import { randomBytes } from 'node:crypto';
import { CookieSealer } from '../../lib/auth/session.js';
import { emptyRollupRow, type RollupRow } from '../../lib/contracts/report.js';
import { addDays, dayOf } from '../../lib/domain/time.js';
import { createDashboardApp } from '../../lib/web/dashboard-app.js';
import { benchRuntime } from './support.js';
import { percentile } from './stats.js';

export interface DashboardBenchResult {
  days: number;
  cellsPerDay: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  barePageP95Ms: number;
  /** The overview's p95 over the bare page's. */
  ratioToBare: number;
  /** What one overview read costs, as DynamoDB Local reports it. */
  htmlBytes: number;
}

/** The demo's touchpoints and channels (lib/local/demo.ts), segments and journey steps. */
const DEMO_CELLS = [
  ['support-call', ['phone'], 'support'],
  ['order-delivered', ['web', 'app', 'store'], 'delivery'],
  ['chat-closed', ['chat'], 'support'],
] as const;
const SEGMENTS = ['smb', 'enterprise', 'consumer'];

export async function dashboardBench(
  endpoints: { dynamodb: string; ses: string },
  options: { requests?: number } = {},
): Promise<DashboardBenchResult> {
  const requests = options.requests ?? 40;
  const keys = { activeKeyId: 'b1', keys: { b1: randomBytes(32).toString('base64url') } };
  const { rt } = await benchRuntime(endpoints, {
    name: 'dashboard',
    publicBaseUrl: 'http://127.0.0.1',
  });
  rt.settings.dashboard = {
    sessionKeys: keys,
    oidc: {
      issuer: 'http://127.0.0.1:9/unused',
      clientId: 'bench',
      redirectUri: 'http://127.0.0.1/dashboard/auth/callback',
      groupsClaim: 'groups',
      allowHttp: true,
    },
  };
  // 90 days and the 27 before them (the rolling 28 days read back), every cell, with answers.
  const today = dayOf(new Date(), rt.config.timeZone);
  const days = 90;
  let cellsPerDay = 0;
  for (let i = -(days + 27) + 1; i <= 0; i++) {
    const day = addDays(today, i);
    const rows: RollupRow[] = [];
    for (const [touchpoint, channels, step] of DEMO_CELLS) {
      const metric = rt.programFor(touchpoint)!.metric;
      for (const channel of channels) {
        for (const segment of SEGMENTS) {
          const row = emptyRollupRow({
            day,
            touchpoint,
            channel,
            segment,
            journeyId: 'demo',
            journeyStep: step,
            metric,
          });
          row.invited = 40;
          row.sent = 38;
          row.delivered = 37;
          row.outcomeKnown = 38;
          row.answered = 12;
          row.scores = row.scores.map((_, s) => (s % 3 === 0 ? 2 : 1));
          rows.push(row);
        }
      }
    }
    cellsPerDay = rows.length;
    await rt.rollups.replaceDay(day, rows);
  }
  const app = createDashboardApp(rt);
  const session = await new CookieSealer(keys).seal(
    'session',
    { user: { sub: 'bench', roles: ['cx-lead'] }, csrf: 'x' },
    3600,
  );
  const headers = { cookie: `afterword_session=${session}` };
  const time = async (path: string) => {
    const started = performance.now();
    const response = await app.request(`http://127.0.0.1${path}`, { headers });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    return { ms: performance.now() - started, bytes: body.length };
  };
  await time('/dashboard?range=90d'); // warm up
  const overview: number[] = [];
  const bare: number[] = [];
  let htmlBytes = 0;
  for (let i = 0; i < requests; i++) {
    const page = await time('/dashboard?range=90d');
    overview.push(page.ms);
    htmlBytes = page.bytes;
    bare.push((await time('/dashboard/assets/dashboard.css')).ms);
  }
  const p95 = percentile(overview, 0.95);
  const bareP95 = percentile(bare, 0.95);
  return {
    days,
    cellsPerDay,
    requests,
    p50Ms: percentile(overview, 0.5),
    p95Ms: p95,
    barePageP95Ms: bareP95,
    ratioToBare: p95 / bareP95,
    htmlBytes,
  };
}
