/**
 * A tracking program's plan and run on DynamoDB Local: the population from the customer
 * directory, the sample size for the target margin, a draw that never picks an opted-out or
 * suppressed customer, exactly the planned invitations, and a retried run that invites nobody new.
 */
import { describe, expect, it } from 'vitest';
import { importCustomers } from '../../lib/usecases/customers-import.js';
import { intake, launchInvitation } from '../../lib/usecases/intake.js';
import { plan } from '../../lib/usecases/tracking.js';
import { launch } from '../../lib/usecases/tracking-launch.js';
import { answersNeeded, invitationsNeeded } from '../../lib/domain/tracking.js';
import { emptyRollupRow } from '../../lib/contracts/report.js';
import { summarize } from '../../lib/domain/scoring.js';
import { event, interaction, testRuntime, withConfig } from '../support/harness.js';

const runAt = new Date('2026-12-07T10:00:00Z');
/** Before December's run: the plan is for it (period 2026-12, sized from November). */
const planAt = new Date('2026-12-01T08:00:00Z');

async function trackingRuntime(change: (program: Record<string, unknown>) => void = () => {}) {
  const rt = await testRuntime({
    config: withConfig((config) => {
      const program = config.programs.find((p) => p.touchpoint === 'relationship')!;
      change(program);
    }),
  });
  // 40 customers: 30 in smb, 10 in enterprise, seen in November; 5 seen long ago.
  const customers = Array.from({ length: 45 }, (_, i) => ({
    customerId: `cust-${String(i).padStart(2, '0')}`,
    profile: {
      email: `cust-${i}@example.com`,
      segment: i < 30 ? 'smb' : 'enterprise',
      seenOn: i < 40 ? '2026-11-20' : '2026-06-01',
      locale: i % 2 ? 'de-DE' : 'en-GB',
    },
  }));
  await importCustomers(rt, customers);
  // Three opted out, two suppressed (a bounce or complaint earlier).
  for (const i of [1, 2, 3]) await rt.contacts.optOut(`cust-0${i}`, new Date('2026-11-01'));
  for (const i of [4, 5]) {
    await rt.suppressions.suppress(`cust-${i}@example.com`, 'bounce', new Date('2026-11-01'));
  }
  return rt;
}

describe('a tracking program', () => {
  it('plans from the directory: population, worst case without an earlier period, the best margin it can reach', async () => {
    const rt = await trackingRuntime();
    const planned = await plan(rt, 'relationship', planAt);
    expect(planned).toMatchObject({
      kind: 'tracking',
      period: '2026-12',
      nextRunAt: '2026-12-07T10:00:00.000Z',
      population: 37,
      excluded: { optedOut: 3, notRecent: 5, otherSegment: 0, noAddress: 0 },
      targetMargin: 5,
    });
    const [everyone] = planned.strata;
    // ±5 NPS points in the worst case (variance 1) at the expected 25 %: 6,147 invitations.
    expect(everyone).toMatchObject({
      stratum: '*',
      sharesFrom: 'worst case',
      responseRate: 0.25,
      responseRateFrom: 'expected',
      invitations: 37,
    });
    expect(everyone!.answersNeeded).toBeCloseTo(answersNeeded('nps', 5), 9);
    expect(everyone!.warning).toMatch(
      /^the population has 37 customers, 6147 invitations are needed for ±5: asking all of them gives about ±\d+\.\d$/,
    );
  });

  it('invites exactly the planned number, never an opted-out or suppressed customer, and a retry invites nobody new', async () => {
    const rt = await trackingRuntime((program) => {
      program.sample = { targetMargin: 40, expectedResponseRate: 1 };
    });
    const planned = await plan(rt, 'relationship', planAt);
    // 1.96² · 1 / 0.4² = 24.01 answers at a response rate of 1: 25 invitations.
    expect(planned.invitations).toBe(invitationsNeeded(answersNeeded('nps', 40), 1));
    expect(planned.invitations).toBe(25);
    const run = await launch(rt, 'relationship', runAt);
    expect(run).toMatchObject({ planned: 25, drawn: 25, scheduled: 25, alreadyInvited: 0 });
    const invited = await invitationsOf(rt);
    expect(invited.size).toBe(25);
    for (const excluded of ['cust-01', 'cust-02', 'cust-03', 'cust-04', 'cust-05', 'cust-40']) {
      expect(invited.has(excluded), excluded).toBe(false);
    }
    // The schedule's retry: the same draw, every invitation already there.
    const again = await launch(rt, 'relationship', new Date(runAt.getTime() + 60_000));
    expect(again).toMatchObject({ scheduled: 0, alreadyInvited: 25 });
    expect((await invitationsOf(rt)).size).toBe(25);
  });

  it('asks nobody erased since they were last seen, and asks one who came back after', async () => {
    const rt = await trackingRuntime();
    // the erasure under way as the run decides (its mark first, the contact item still there),
    // for one seen on 20 November; the other was erased on 1 November and seen again since
    await rt.suppressions.markErased('cust-10', new Date(runAt.getTime() - 60_000));
    await rt.suppressions.markErased('cust-11', new Date('2026-11-01T12:00:00Z'));
    // erased on 1 November, back since, and erased again as the run decides: the latest counts
    await rt.suppressions.markErased('cust-12', new Date('2026-11-01T12:00:00Z'));
    await rt.suppressions.markErased('cust-12', new Date(runAt.getTime() - 60_000));
    await rt.suppressions.markErased('cust-12', new Date('2026-10-01T12:00:00Z')); // older: kept out
    const invite = (customerId: string) =>
      launchInvitation(
        rt,
        {
          interactionId: `relationship:2026-12:${customerId}`,
          // a send slot ahead of the run, after the erasure
          occurredAt: new Date(runAt.getTime() + 3_600_000).toISOString(),
          touchpoint: 'relationship',
          channel: 'email',
          customer: { id: customerId, email: `${customerId}@example.com` },
        },
        runAt,
      );
    const erased = await invite('cust-10');
    expect(erased).toMatchObject({ status: 'skipped', reason: 'erased' });
    const stored = await rt.invitations.get(erased.invitationId);
    // nothing that names them: a launch's interaction id carries the customer id
    expect(stored).toMatchObject({
      customerId: '(erased)',
      interactionId: '(erased)',
      payloadHash: '(erased)',
      reason: 'erased',
    });
    expect(stored!.email).toBeUndefined();
    expect(JSON.stringify(stored)).not.toContain('cust-10');
    expect(await rt.invitations.idsOfCustomer('(erased)')).toEqual([]);
    expect(await invite('cust-12')).toMatchObject({ status: 'skipped', reason: 'erased' });
    expect(await invite('cust-11')).toMatchObject({ status: 'scheduled' });
  });

  it('sizes each segment on its own when stratified, and counts the contact rules as skips', async () => {
    const rt = await trackingRuntime((program) => {
      program.sample = { targetMargin: 40, expectedResponseRate: 1, stratifyBy: 'segment' };
    });
    // cust-10 had an event-based survey a week ago: the global cool-down skips it if drawn.
    const recent = interaction({
      occurredAt: '2026-11-30T10:00:00Z',
      customer: { id: 'cust-10', email: 'cust-10@example.com' },
    });
    await intake(rt, event(recent), new Date('2026-11-30T10:00:01Z'));
    const planned = await plan(rt, 'relationship', planAt);
    expect(planned.strata.map((s) => [s.stratum, s.population, s.invitations])).toEqual([
      ['enterprise', 10, 10],
      ['smb', 27, 25],
    ]);
    const run = await launch(rt, 'relationship', runAt);
    expect(run.drawn).toBe(35);
    expect(run.scheduled + (run.skipped['cool-down'] ?? 0)).toBe(35);
  });

  it('sizes from the previous period measured, and shows the margin it achieved beside the target', async () => {
    const rt = await trackingRuntime();
    // November: 40 answers (20 promoters, 12 passives, 8 detractors) of 100 sent.
    const scores = new Array<number>(11).fill(0);
    scores[10] = 20;
    scores[8] = 12;
    scores[3] = 8;
    await rt.rollups.replaceDay('2026-11-10', [
      {
        ...emptyRollupRow({
          day: '2026-11-10',
          touchpoint: 'relationship',
          channel: 'email',
          segment: 'smb',
          journeyStep: '-',
          metric: 'nps',
        }),
        invited: 100,
        sent: 100,
        answered: 40,
        scores,
      },
    ]);
    const [everyone] = (await plan(rt, 'relationship', planAt)).strata;
    expect(everyone).toMatchObject({
      sharesFrom: 'previous period',
      shares: { good: 0.5, bad: 0.2 },
      responseRate: 0.4,
      responseRateFrom: 'previous period',
    });
    // The worked example's shares: 937.35 answers, at 40 %: 2,344 invitations (more than the 37).
    expect(everyone!.answersNeeded).toBeCloseTo(937.35, 2);
    expect(everyone!.warning).toContain('2344 invitations are needed for ±5');
    const november = summarize('nps', scores);
    expect(everyone!.previous).toMatchObject({
      from: '2026-11-01',
      to: '2026-11-30',
      answers: 40,
      score: 30,
      ciLow: november.ciLow,
      ciHigh: november.ciHigh,
      achievedMargin: november.margin,
    });
  });

  it('is refused for an event-based program, naming the scheduled ones', async () => {
    const rt = await testRuntime();
    await expect(plan(rt, 'support-call', runAt)).rejects.toThrow(
      '"support-call" is no tracking or periodic program (those are: relationship)',
    );
    // An interaction at a tracking program's touchpoint is no event-based survey.
    const stray = interaction({ touchpoint: 'relationship' });
    expect(await intake(rt, event(stray), new Date('2026-11-23T10:00:00Z'))).toMatchObject({
      status: 'skipped',
      reason: 'no-program',
    });
  });
});

async function invitationsOf(rt: Awaited<ReturnType<typeof testRuntime>>): Promise<Set<string>> {
  const customers = new Set<string>();
  const from = new Date('2026-12-01T00:00:00Z');
  const to = new Date('2026-12-09T00:00:00Z');
  const ids: string[] = [];
  await rt.dayIndex.forEachPage('invitations', from, to, (rows) => {
    for (const row of rows) if (row.touchpoint === 'relationship') ids.push(row.invitationId);
  });
  for (const id of ids) {
    const invitation = await rt.invitations.get(id);
    if (invitation?.status === 'scheduled') customers.add(invitation.customerId);
  }
  return customers;
}
