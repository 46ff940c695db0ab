import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NONE } from '../../lib/contracts/report.js';
import { dayBounds } from '../../lib/domain/time.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { intake } from '../../lib/usecases/intake.js';
import { report } from '../../lib/usecases/report.js';
import { rollup, rollupDay } from '../../lib/usecases/rollup.js';
import { submitAnswer } from '../../lib/usecases/answer.js';
import { sendDigest } from '../../lib/usecases/digest.js';
import { npsInterval } from '../../lib/domain/scoring.js';
import {
  emailsTo,
  event,
  interaction,
  testRuntime,
  withConfig,
  type TestRuntime,
} from '../support/harness.js';

/**
 * A small, fully known data set around the October 2026 clock change in London (25-hour day on
 * 2026-10-25). Times are the survey send times (delay PT30M for support-call, PT2H for
 * order-delivered); answers are given at `answeredAt`.
 */
const surveys = [
  // sent 2026-10-25 00:30 BST = 2026-10-24T23:30Z: London day 10-25, UTC date 10-24
  {
    occurredAt: '2026-10-24T23:00:00Z',
    touchpoint: 'support-call',
    channel: 'phone',
    segment: 'smb',
    score: 10,
    answeredAt: '2026-10-24T23:40:00Z',
  },
  {
    occurredAt: '2026-10-25T10:00:00Z',
    touchpoint: 'support-call',
    channel: 'phone',
    segment: 'smb',
    score: 9,
    answeredAt: '2026-10-25T11:00:00Z',
  },
  {
    occurredAt: '2026-10-25T12:00:00Z',
    touchpoint: 'support-call',
    channel: 'phone',
    segment: 'enterprise',
    score: 3,
    answeredAt: '2026-10-25T13:00:00Z',
  },
  {
    occurredAt: '2026-10-25T13:00:00Z',
    touchpoint: 'support-call',
    channel: 'phone',
    segment: 'smb',
    score: 7,
    answeredAt: '2026-10-25T23:30:00Z',
  }, // 23:30 GMT, still 10-25
  {
    occurredAt: '2026-10-25T14:00:00Z',
    touchpoint: 'support-call',
    channel: 'phone',
    segment: 'smb',
    score: 10,
    answeredAt: '2026-10-26T09:00:00Z',
  }, // late: next day
  {
    occurredAt: '2026-10-25T15:00:00Z',
    touchpoint: 'support-call',
    channel: 'phone',
    segment: 'smb',
  }, // never answered
  {
    occurredAt: '2026-10-25T08:00:00Z',
    touchpoint: 'order-delivered',
    channel: 'web',
    score: 5,
    answeredAt: '2026-10-25T12:00:00Z',
  },
  {
    occurredAt: '2026-10-25T09:00:00Z',
    touchpoint: 'order-delivered',
    channel: 'web',
    score: 3,
    answeredAt: '2026-10-25T12:30:00Z',
  },
] as const;

describe('rollup and report against DynamoDB Local', () => {
  let rt: TestRuntime;

  beforeAll(async () => {
    // Send windows would move the night-time sends; this data set is about day boundaries.
    rt = await testRuntime({
      config: withConfig((config) =>
        config.programs.forEach((program) => delete program.sendWindow),
      ),
    });
    const invitationIds = new Map<number, string>();
    for (const [i, survey] of surveys.entries()) {
      const detail = interaction({
        occurredAt: survey.occurredAt,
        touchpoint: survey.touchpoint,
        channel: survey.channel,
        journey: undefined,
      });
      if ('segment' in survey) detail.customer.segment = survey.segment;
      else delete detail.customer.segment;
      const { invitationId } = await intake(rt, event(detail), new Date(survey.occurredAt));
      invitationIds.set(i, invitationId);
    }
    // one skipped decision on the day: no email
    await intake(
      rt,
      event(interaction({ occurredAt: '2026-10-25T16:00:00Z', customer: { id: 'c-x' } })),
      new Date('2026-10-25T16:00:00Z'),
    );
    // dispatch hour by hour across the day, as the schedule would
    for (
      let t = Date.parse('2026-10-24T23:00:00Z');
      t <= Date.parse('2026-10-26T00:00:00Z');
      t += 30 * 60_000
    ) {
      await dispatch(rt, new Date(t));
    }
    for (const [i, survey] of surveys.entries()) {
      if (!('score' in survey)) continue;
      const invitation = (await rt.invitations.get(invitationIds.get(i)!))!;
      const token = await rt.signer.sign({
        invitationId: invitation.invitationId,
        expiresAt: new Date(invitation.expiresAt!),
      });
      await submitAnswer(rt, token, { score: String(survey.score) }, new Date(survey.answeredAt));
    }
  });

  it('cuts the 25-hour day in the rollup time zone and counts the funnel by send day', async () => {
    const rows = await rollupDay(rt, '2026-10-25');
    const smbCall = rows.find((r) => r.touchpoint === 'support-call' && r.segment === 'smb');
    // five smb calls sent on 10-25 (one at 00:30 BST), four answered (one late, the day after)
    expect(smbCall).toMatchObject({
      invited: 5,
      sent: 5,
      answered: 4,
      journeyStep: NONE,
      metric: 'nps',
    });
    // scores by answer day: 10, 9 and 7 were given on 10-25; the late 10 belongs to 10-26
    expect(smbCall!.scores).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1]);
    const skipped = rows.find((r) => r.touchpoint === 'support-call' && r.skipped['no-email']);
    expect(skipped?.skipped).toEqual({ 'no-email': 1 });
  });

  it('reports exactly what an independent computation of the raw answers gives', async () => {
    await rollup(rt, { now: new Date('2026-10-27T02:00:00Z'), days: 3 });
    const rows = await report(rt, { from: '2026-10-25', to: '2026-10-25', by: ['touchpoint'] });
    const nps = rows.find((r) => r.touchpoint === 'support-call')!;
    // answers given on 10-25 for support-call: 10, 9, 3, 7 → promoters 2, detractors 1, n 4
    expect(nps).toMatchObject({
      channel: '*',
      segment: '*',
      n: 4,
      lowN: true,
      interval: 'adjusted-wald',
      target: 40,
    });
    expect(nps.score).toBeCloseTo(((2 - 1) / 4) * 100, 9);
    expect(nps).toMatchObject({
      invited: 6,
      sent: 6,
      answered: 5,
      skipped: 1,
      responseRateBasis: 'sent',
    });
    expect(nps.responseRate).toBeCloseTo(5 / 6, 9);
    const csat = rows.find((r) => r.touchpoint === 'order-delivered')!;
    expect(csat).toMatchObject({ metric: 'csat', n: 2, score: 50, interval: 'wilson' });
    const nextDay = await report(rt, { from: '2026-10-26', to: '2026-10-26', by: ['touchpoint'] });
    expect(nextDay.find((r) => r.touchpoint === 'support-call')).toMatchObject({
      n: 1,
      score: 100,
      invited: 0,
    });
  });

  it('writes identical rows when re-run', async () => {
    const first = await rt.rollups.range('2026-10-24', '2026-10-26');
    await rollup(rt, { now: new Date('2026-10-27T02:00:00Z'), days: 3 });
    await rollup(rt, { now: new Date('2026-10-27T03:00:00Z'), days: 3 });
    expect(await rt.rollups.range('2026-10-24', '2026-10-26')).toEqual(first);
  });

  it('counts a late answer once its day is recomputed', async () => {
    const before = (
      await report(rt, { from: '2026-10-25', to: '2026-10-25', by: ['touchpoint'] })
    ).find((r) => r.touchpoint === 'support-call')!;
    // the unanswered 15:00 call gets its answer two days later
    const [unanswered] = await collect(
      rt,
      '2026-10-25',
      (row) => row.touchpoint === 'support-call' && !row.answeredAt && row.status === 'sent',
    );
    const invitation = (await rt.invitations.get(unanswered!))!;
    const token = await rt.signer.sign({
      invitationId: invitation.invitationId,
      expiresAt: new Date(invitation.expiresAt!),
    });
    await submitAnswer(rt, token, { score: '0' }, new Date('2026-10-27T08:00:00Z'));
    await rollup(rt, { now: new Date('2026-10-28T02:00:00Z'), days: 7 });
    const after = (
      await report(rt, { from: '2026-10-25', to: '2026-10-25', by: ['touchpoint'] })
    ).find((r) => r.touchpoint === 'support-call')!;
    expect(after.answered).toBe(before.answered + 1);
    expect(after.n).toBe(before.n); // its score counts on the day it was given
    const answeredDay = await report(rt, {
      from: '2026-10-27',
      to: '2026-10-27',
      by: ['touchpoint'],
    });
    expect(answeredDay.find((r) => r.touchpoint === 'support-call')).toMatchObject({
      n: 1,
      score: -100,
    });
  });

  it('writes no rows for a day without interactions or answers', async () => {
    expect(await rollupDay(rt, '2026-10-20')).toEqual([]);
    expect(await report(rt, { from: '2026-10-20', to: '2026-10-20' })).toEqual([]);
  });
});

describe('the funnel of a send day, against DynamoDB Local', () => {
  let rt: TestRuntime;
  const day = '2026-09-10';
  // order-delivered: delay PT2H, linkExpiry P14D, maxLateness P2D (infra/afterword.config.json)
  const sendAt = (hour: number) => new Date(`${day}T${String(hour + 2).padStart(2, '0')}:00:00Z`);

  beforeAll(async () => {
    rt = await testRuntime({
      config: withConfig((config) =>
        config.programs.forEach((program) => delete program.sendWindow),
      ),
    });
  });

  async function decided(hour: number, journey = { id: 'onboarding', step: 'first-call' }) {
    const detail = interaction({
      occurredAt: `${day}T${String(hour).padStart(2, '0')}:00:00Z`,
      touchpoint: 'order-delivered',
      channel: 'funnel',
      journey,
    });
    return (await intake(rt, event(detail), new Date(detail.occurredAt))).invitationId;
  }

  async function sent(hour: number, journey?: { id: string; step: string }) {
    const id = await decided(hour, journey);
    await dispatch(rt, new Date(sendAt(hour).getTime() + 60_000));
    expect((await rt.invitations.get(id))?.status).toBe('sent');
    return id;
  }

  it('counts every outcome once: delivered, bounced, complained, failed, unknown, expired, answered', async () => {
    const delivered = await sent(1);
    const at = new Date(sendAt(1).getTime() + 120_000);
    await rt.invitations.recordFeedback(delivered, 'deliveredAt', at, {
      to: 'delivered',
      from: ['sent'],
    });
    // a complaint after the delivery: one survey, one known outcome
    await rt.invitations.recordFeedback(delivered, 'complainedAt', at);
    const bounced = await sent(2);
    await rt.invitations.recordFeedback(bounced, 'bouncedAt', at, {
      to: 'bounced',
      from: ['sent', 'delivered'],
    });
    const expired = await sent(3);
    // Expiry is derived (issue 19): as of an hour after this one's link closed (the counters count
    // a link once every link of its send hour has closed), the delivered survey (sent two hours
    // earlier, unanswered) has expired too; the bounced one never counts.
    const asOf = new Date(Date.parse((await rt.invitations.get(expired))!.expiresAt!) + 3_600_000);
    const failed = await decided(4);
    await rt.outbox.claim(failed, new Date(sendAt(4).getTime() + 60_000));
    await rt.outbox.markFailed(failed, 'MessageRejected');
    const unknown = await decided(5);
    const lease = new Date(sendAt(5).getTime() + 60_000);
    await rt.outbox.claim(unknown, lease);
    expect(await rt.outbox.markUnknown(unknown, lease)).toBe(true);
    await sent(6, { id: 'renewal', step: 'first-call' });

    const rows = await rollupDay(rt, day, asOf);
    const onboarding = rows.find((r) => r.channel === 'funnel' && r.journeyId === 'onboarding');
    expect(onboarding).toMatchObject({
      journeyStep: 'first-call',
      invited: 5,
      sent: 3,
      delivered: 1,
      bounced: 1,
      complained: 1,
      outcomeKnown: 2, // not 3: the complaint follows the delivery
      failed: 1,
      unknown: 1,
      expired: 2,
      answered: 0,
    });
    expect(rows.find((r) => r.channel === 'funnel' && r.journeyId === 'renewal')).toMatchObject({
      journeyStep: 'first-call',
      sent: 1,
    });
    const [reported] = await report(rt, { from: day, to: day, by: ['channel'] });
    expect(reported).toMatchObject({ sent: 4, outcomeKnown: 2, responseRateBasis: 'sent' });
  });

  it("counts an answer 12 days after the send in its send day's funnel, with the default nightly window", async () => {
    const id = await sent(7);
    const invitation = (await rt.invitations.get(id))!;
    const token = await rt.signer.sign({
      invitationId: id,
      expiresAt: new Date(invitation.expiresAt!),
    });
    const late = new Date('2026-09-22T10:00:00Z');
    expect(await submitAnswer(rt, token, { score: '5' }, late)).toMatchObject({ replay: false });
    // the night after: 2026-09-23 02:30 in London; the window reaches back to the send day
    const nightly = await rollup(rt, { now: new Date('2026-09-23T01:30:00Z') });
    expect(nightly.days[0]! <= day).toBe(true);
    const [row] = await report(rt, { from: day, to: day, by: ['channel'] });
    expect(row!.answered).toBe(1);
    expect(row!.n).toBe(0); // its score counts on the day it was given
  });

  it('replaces rows stored under the key format before journeys, so nothing counts twice', async () => {
    const doc = DynamoDBDocumentClient.from(rt.dynamodb);
    await doc.send(
      new PutCommand({
        TableName: rt.settings.tableName,
        Item: {
          pk: `ROLLUP#${day.slice(0, 7)}`,
          sk: `${day}#order-delivered#funnel#smb#first-call`,
          day,
          touchpoint: 'order-delivered',
          channel: 'funnel',
          segment: 'smb',
          journeyStep: 'first-call',
          metric: 'csat',
          invited: 99,
          skipped: {},
          sent: 99,
          delivered: 0,
          bounced: 0,
          complained: 0,
          answered: 0,
          scores: new Array<number>(11).fill(0),
        },
      }),
    );
    expect((await rt.rollups.range(day, day)).some((r) => r.invited === 99)).toBe(true);
    const fresh = await rollupDay(rt, day);
    const stored = await rt.rollups.range(day, day);
    expect(stored.some((r) => r.invited === 99)).toBe(false);
    expect(stored).toEqual(fresh);
  });
});

async function collect(
  rt: TestRuntime,
  day: string,
  keep: (row: { touchpoint: string; answeredAt?: string; status: string }) => boolean,
) {
  const { start, end } = dayBounds(day, rt.config.timeZone);
  const ids: string[] = [];
  await rt.dayIndex.forEachPage('invitations', start, end, (page) => {
    for (const row of page) if (keep(row)) ids.push(row.invitationId);
  });
  return ids;
}

describe('the nightly digest', () => {
  it('leads with the last 7 days, shows intervals as [low, high], marks low n and names no low-n change', async () => {
    const lead = `cx-${Date.now()}@acme.example`;
    const rt = await testRuntime({
      config: withConfig((config) => {
        config.digest = { recipients: [lead] };
        config.programs.forEach((program) => delete program.sendWindow);
      }),
    });
    // the week before: 3 answers (NPS −100); the day: 10, 10, 9, 3, 7 (NPS 40, n = 5)
    const answer = async (occurredAt: string, score: number) => {
      const detail = interaction({ occurredAt });
      const { invitationId } = await intake(rt, event(detail), new Date(occurredAt));
      await dispatch(rt, new Date(Date.parse(occurredAt) + 31 * 60_000));
      const invitation = (await rt.invitations.get(invitationId))!;
      const token = await rt.signer.sign({
        invitationId,
        expiresAt: new Date(invitation.expiresAt!),
      });
      await submitAnswer(
        rt,
        token,
        { score: String(score) },
        new Date(Date.parse(occurredAt) + 45 * 60_000),
      );
    };
    for (const hour of [1, 2, 3]) await answer(`2026-10-17T0${hour}:00:00Z`, 0);
    for (const [i, score] of [10, 10, 9, 3, 7].entries()) {
      await answer(`2026-10-25T0${i}:00:00Z`, score);
    }
    await rollup(rt, { now: new Date('2026-10-26T02:30:00Z'), days: 10 });
    expect(await sendDigest(rt, { now: new Date('2026-10-26T02:30:00Z') })).toBe(1);
    const [mail] = await emailsTo(lead);
    // the 7 days to 10-25 hold the five answers of 10-25 only
    expect(mail!.subject).toBe(
      'Acme customer feedback, 7 days to 2026-10-25: support-call NPS 40.0 (n = 5, low n)',
    );
    const week = npsInterval(3, 1, 5);
    const bounds = `[${week.ciLow.toFixed(1)}, ${week.ciHigh.toFixed(1)}]`;
    expect(mail!.body.text).toContain(
      `support-call (NPS): last 7 days 40.0 ${bounds} (n = 5, low n); vs the 7 days before +140.0 (low n: not tested)`,
    );
    expect(mail!.body.text).not.toContain('±');
    expect(mail!.body.text).toContain('response rate 100 % of sent (5 of 5)');
    expect(mail!.body.text).toContain('Nothing changed significantly against the 7 days before.');
    expect(mail!.body.text).toContain('Too few answers to test a change: support-call.');
    expect(mail!.body.text).toContain('Dashboard: http://127.0.0.1:3999/dashboard');
    expect(mail!.body.html).toContain('href="http://127.0.0.1:3999/dashboard"');
  });
});

describe('the rollup rows for BI tools', () => {
  it('writes each recomputed day as JSON lines under rollups/day=…, the rows afterword report reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'afterword-exports-'));
    const rt = await testRuntime({ exports: { dir } });
    const detail = interaction({ occurredAt: '2026-11-20T10:00:00Z' });
    await intake(rt, event(detail), new Date('2026-11-20T10:00:01Z'));
    await rollup(rt, { now: new Date('2026-11-21T02:30:00Z'), days: 2 });
    const lines = readFileSync(join(dir, 'rollups/day=2026-11-20/rollup.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const stored = await rt.rollups.range('2026-11-20', '2026-11-20');
    expect(lines).toEqual(JSON.parse(JSON.stringify(stored)));
    expect(lines[0]).toMatchObject({ day: '2026-11-20', touchpoint: 'support-call', invited: 1 });
    expect(Object.keys(lines[0]!)).not.toContain('pk');
    // a day with nothing still gets its (empty) file: a recompute can empty a day
    expect(readFileSync(join(dir, 'rollups/day=2026-11-21/rollup.jsonl'), 'utf8')).toBe('');
  });
});
