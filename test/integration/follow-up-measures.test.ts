/**
 * The follow-up measures on a hand-computed dataset (DynamoDB Local): six support-call cases in
 * November, one withdrawn; deadlines, times to contact and close, root causes, and the recovery
 * rate from each customer's next answer.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FollowUpCase } from '../../lib/contracts/follow-up-case.js';
import { followUpMeasures } from '../../lib/usecases/follow-up-measures.js';
import { runCli } from '../support/cli.js';
import { testRuntime, type TestRuntime } from '../support/harness.js';

let rt: TestRuntime;
const now = new Date('2026-12-15T12:00:00Z');
const owner = { name: 'Support team lead', email: 'support-lead@acme.example' };
const customer = (letter: string) => `measures-${letter}-${randomUUID().slice(0, 6)}`;
const ids: Record<string, string> = {};

/** An answered survey of `customerId`, as it is stored (the timeline reads these). */
async function answered(customerId: string, touchpoint: string, score: number, at: string) {
  const invitationId = `inv-${randomUUID()}`;
  await rt.invitations.create(
    {
      invitationId,
      interactionId: invitationId,
      payloadHash: 'test',
      status: 'answered',
      customerId,
      touchpoint,
      channel: 'phone',
      locale: 'en-GB',
      timeZone: 'Europe/London',
      metric: touchpoint === 'support-call' ? 'nps' : 'csat',
      occurredAt: at,
      decidedAt: at,
      sentAt: at,
      answeredAt: at,
      score,
    },
    400,
  );
  return invitationId;
}

/** A case for a low support-call answer at `openedAt`, due four hours later. */
async function opened(letter: string, score: number, openedAt: string): Promise<FollowUpCase> {
  const customerId = (ids[letter] = customer(letter));
  const invitationId = await answered(customerId, 'support-call', score, openedAt);
  const followUp: FollowUpCase = {
    invitationId,
    customerId,
    touchpoint: 'support-call',
    channel: 'phone',
    metric: 'nps',
    score,
    threshold: 6,
    contactAllowed: true,
    owner,
    openedAt,
    dueBy: new Date(Date.parse(openedAt) + 4 * 3_600_000).toISOString(),
    status: 'open',
    notes: [],
    transitions: [{ to: 'open', at: openedAt, by: 'afterword' }],
  };
  await rt.cases.open(followUp, 2_000_000_000);
  return followUp;
}

const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  rt = await testRuntime();
  // A: contacted in time, resolved (staff); answers 9 later: recovered.
  const a = await opened('a', 2, '2026-11-02T10:00:00.000Z');
  const aContacted = await rt.cases.transition(a, 'contacted', 'o', at('2026-11-02T12:00:00Z'));
  if (!aContacted.changed) throw new Error('A');
  await rt.cases.transition(aContacted.after, 'resolved', 'o', at('2026-11-03T10:00:00Z'), {
    rootCause: 'staff',
  });
  await answered(ids.a!, 'support-call', 9, '2026-11-20T10:00:00.000Z');
  // B: contacted late, resolved (staff); answers 5: low again.
  const b = await opened('b', 3, '2026-11-03T10:00:00.000Z');
  const bContacted = await rt.cases.transition(b, 'contacted', 'o', at('2026-11-04T09:00:00Z'));
  if (!bContacted.changed) throw new Error('B');
  await rt.cases.transition(bContacted.after, 'resolved', 'o', at('2026-11-04T10:00:00Z'), {
    rootCause: 'staff',
  });
  await answered(ids.b!, 'support-call', 5, '2026-11-25T10:00:00.000Z');
  // C: closed without action within the hour (process); answers CSAT 4: recovered.
  const c = await opened('c', 0, '2026-11-05T10:00:00.000Z');
  await rt.cases.transition(c, 'no-action', 'o', at('2026-11-05T11:00:00Z'), {
    rootCause: 'process',
  });
  await answered(ids.c!, 'order-delivered', 4, '2026-11-28T10:00:00.000Z');
  // D: never touched, long overdue; answers 2: low again.
  await opened('d', 1, '2026-11-06T10:00:00.000Z');
  await answered(ids.d!, 'support-call', 2, '2026-11-29T10:00:00.000Z');
  // E: withdrawn by the customer.
  const e = await opened('e', 4, '2026-11-07T10:00:00.000Z');
  await rt.cases.transition(e, 'withdrawn', 'customer', at('2026-11-07T11:00:00Z'));
  // F: contacted in time; has not answered again.
  const f = await opened('f', 5, '2026-11-08T10:00:00.000Z');
  await rt.cases.transition(f, 'contacted', 'o', at('2026-11-08T13:00:00Z'));
});

describe('follow-up measures', () => {
  it('counts, times, ranks root causes and compares recovery as computed by hand', async () => {
    const rows = await followUpMeasures(rt, {
      from: '2026-11-01',
      to: '2026-11-30',
      by: 'touchpoint',
      now,
    });
    expect(rows.map((r) => r.group)).toEqual(['support-call', '*']);
    const [support] = rows;
    expect(support).toMatchObject({
      opened: 6,
      withdrawn: 1,
      open: 2, // D open, F contacted
      overdue: 1, // D
      medianHoursToFirstContact: 3, // A 2 h, B 23 h, F 3 h
      medianHoursToClose: 24, // A 24 h, B 24 h, C 1 h
      rootCauses: [
        { rootCause: 'staff', count: 2 },
        { rootCause: 'process', count: 1 },
      ],
      recoveryUnknown: 1, // F
      recoveryWindowDays: 90,
    });
    expect(support!.rootCauses[0]!.share).toBeCloseTo(66.667, 2);
    // Within the deadline: A, C, F of A, B, C, D, F. Wilson 95 % for 3 of 5: [23.07, 88.24].
    expect(support!.withinDeadline).toMatchObject({ successes: 3, n: 5, lowN: true });
    expect(support!.withinDeadline.share).toBeCloseTo(60, 6);
    expect(support!.withinDeadline.ciLow).toBeCloseTo(23.07, 1);
    expect(support!.withinDeadline.ciHigh).toBeCloseTo(88.24, 1);
    // Followed up (A, B; F has no next answer): 1 of 2. Not followed up (C, D): 1 of 2.
    // Wilson 95 % for 1 of 2: [9.45, 90.55].
    for (const share of [support!.recoveryFollowedUp, support!.recoveryNotFollowedUp]) {
      expect(share).toMatchObject({ successes: 1, n: 2, lowN: true, interval: 'wilson' });
      expect(share.ciLow).toBeCloseTo(9.45, 1);
      expect(share.ciHigh).toBeCloseTo(90.55, 1);
    }
    expect(rows[1]).toMatchObject({ opened: 6, overdue: 1 });
  });

  it('groups by owner, and a shorter recovery window leaves later answers out', async () => {
    const rows = await followUpMeasures(rt, {
      from: '2026-11-01',
      to: '2026-11-30',
      by: 'owner',
      now,
      recoveryWindowDays: 15,
    });
    expect(rows[0]).toMatchObject({ group: 'support-lead@acme.example', opened: 6 });
    // Within 15 days only A (18 days later: no) … none of the next answers is that early.
    expect(rows[0]!.recoveryFollowedUp.n).toBe(0);
    expect(rows[0]!.recoveryFollowedUp.share).toBeNull();
    expect(rows[0]!.recoveryUnknown).toBe(5);
  });

  it('prints the same with afterword report --metric follow-up, and names a bad --by', async () => {
    const env = {
      AFTERWORD_DYNAMODB_PORT: new URL(rt.settings.endpoints!.dynamodb!).port,
      AFTERWORD_TABLE: rt.settings.tableName,
    };
    const json = await runCli(
      [
        'report',
        '--metric',
        'follow-up',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-30',
        '--format',
        'json',
      ],
      env,
    );
    expect(json.code).toBe(0);
    const [row] = JSON.parse(json.stdout) as { group: string; opened: number }[];
    expect(row).toMatchObject({ group: 'support-call', opened: 6 });
    const table = await runCli(
      ['report', '--metric', 'follow-up', '--from', '2026-11-01', '--to', '2026-11-30'],
      env,
    );
    expect(table.stdout).toMatch(
      /support-call\s+6\s+2\s+1\s+60% \[23\.1, 88\.2\] n=5 low\s+3\.0 h\s+24\.0 h\s+staff 2, process 1/,
    );
    expect(table.stdout).toContain('it does not prove cause');
    const bad = await runCli(['report', '--metric', 'follow-up', '--by', 'channel'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--by must be touchpoint or owner with --metric follow-up');
  });
});
