/**
 * Closing the loop on DynamoDB Local and the SES emulator: a low answer's request opens one case
 * (however often it is delivered) and emails its owner; owners move it; a raised score withdraws
 * it; the sweep marks it overdue at its business-hours deadline and escalates it later.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createFollowUpHandler } from '../../lib/handlers/follow-up.js';
import {
  SURVEY_FOLLOW_UP_OVERDUE,
  SURVEY_FOLLOW_UP_REQUESTED,
  SURVEY_FOLLOW_UP_WITHDRAWN,
} from '../../lib/contracts/survey-events.js';
import { buildDigest } from '../../lib/usecases/digest.js';
import { dispatch } from '../../lib/usecases/dispatch.js';
import { caseOf, CaseTransitionError, moveCase } from '../../lib/usecases/follow-up.js';
import type { SweepResult } from '../../lib/usecases/follow-up-sweep.js';
import { intake } from '../../lib/usecases/intake.js';
import { createWebApp } from '../../lib/web/app.js';
import {
  emailsTo,
  event,
  interaction,
  scoreLinks,
  testRuntime,
  withConfig,
  type TestRuntime,
} from '../support/harness.js';

const unique = randomUUID().slice(0, 8);
const OWNER = `support-owner-${unique}@example.org`;
const TEAM = `support-team-${unique}@example.org`;
const MANAGER = `support-manager-${unique}@example.org`;

// Friday 20 November 2026: a call at 15:00, the survey at 15:30, answered at 16:00 (London, GMT).
const occurred = '2026-11-20T15:00:00Z';
const answeredAt = new Date('2026-11-20T16:00:00Z');

let rt: TestRuntime;
let app: ReturnType<typeof createWebApp>;

beforeAll(async () => {
  rt = await testRuntime({
    config: withConfig((config) => {
      const program = config.programs.find((p) => p.touchpoint === 'support-call')!;
      program.sendWindow = undefined;
      program.followUpWithin = 'PT4H';
      program.owner = {
        ...program.owner,
        email: OWNER,
        team: [TEAM],
        escalateTo: MANAGER,
        escalateAfter: 'PT2H',
      };
      program.rootCauses = ['staff', 'process', 'other'];
    }),
  });
  app = createWebApp(rt, { now: () => answeredAt });
});

/** A form POST to the survey app, as the customer's browser sends it. */
const postForm = (path: string, body: string) =>
  app.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'http://127.0.0.1:3999',
    },
    body,
  });

/** A support call surveyed and answered `score` (with the contact box ticked or not). */
async function answered(score: number, options: { contact?: boolean; comment?: string } = {}) {
  const detail = interaction({ occurredAt: occurred });
  const { invitationId } = await intake(rt, event(detail), new Date(occurred));
  await dispatch(rt, new Date('2026-11-20T15:31:00Z'));
  const [email] = await emailsTo(detail.customer.email!);
  const path = new URL(scoreLinks(email!).get(score)!).pathname;
  const response = await postForm(
    path,
    new URLSearchParams({
      score: String(score),
      ...(options.comment ? { comment: options.comment } : {}),
      ...(options.contact ? { followUp: 'on' } : {}),
    }).toString(),
  );
  expect(response.status).toBe(200);
  return { invitationId, path, page: await response.text(), customer: detail.customer };
}

/** The events the answer published for this invitation, as the bus hands them to a rule target. */
function published(invitationId: string, detailType: string) {
  return rt.published.events
    .filter(
      (e) =>
        e.detailType === detailType &&
        (e.detail as { invitationId: string }).invitationId === invitationId,
    )
    .map((e) => ({ 'detail-type': e.detailType, detail: e.detail }));
}

/** The case a request would open for this invitation (open, due in four business hours). */
async function caseOfRequest(invitationId: string) {
  const invitation = (await rt.invitations.get(invitationId))!;
  return {
    invitationId,
    customerId: invitation.customerId,
    touchpoint: invitation.touchpoint,
    channel: invitation.channel,
    metric: 'nps' as const,
    score: 2,
    threshold: 6,
    contactAllowed: false,
    owner: { name: 'Support team lead', email: OWNER },
    openedAt: invitation.followUpRequestedAt!,
    dueBy: '2026-11-23T12:00:00.000Z',
    status: 'open' as const,
    notes: [],
    transitions: [{ to: 'open' as const, at: invitation.followUpRequestedAt!, by: 'afterword' }],
  };
}

const handlerAt = (iso: string) => createFollowUpHandler(rt, () => new Date(iso));

const ownerEmailsFor = async (address: string, invitationId: string) =>
  (await emailsTo(address)).filter((e) =>
    e.body.text?.includes(`/dashboard/cases/${invitationId}`),
  );

describe('follow-up cases', () => {
  it('opens one case from a request delivered three times, and emails the owner and the team once', async () => {
    const { invitationId, page } = await answered(2, {
      contact: true,
      comment: 'Kept on hold 40 min',
    });
    const [request] = published(invitationId, SURVEY_FOLLOW_UP_REQUESTED);
    expect(request).toBeDefined();
    const handle = handlerAt('2026-11-20T16:00:30Z');
    expect(await handle(request)).toBe('opened');
    expect(await handle(request)).toBe('exists');
    expect(await handle(request)).toBe('exists');

    const followUp = (await caseOf(rt, invitationId))!;
    expect(followUp).toMatchObject({
      status: 'open',
      touchpoint: 'support-call',
      score: 2,
      contactAllowed: true,
      owner: { email: OWNER },
      openedAt: answeredAt.toISOString(),
      // Friday 16:00 + 4 business hours (09:00–17:00): 1 h on Friday, 3 h on Monday → 12:00.
      dueBy: '2026-11-23T12:00:00.000Z',
      transitions: [{ to: 'open', by: 'afterword' }],
    });
    // The case names the customer by id only: no comment, address or name on it.
    expect(JSON.stringify(followUp)).not.toMatch(/hold 40|@example\.com|Ada/);
    // The answer's event carries the same business-hours deadline.
    expect((request!.detail as { dueBy: string }).dueBy).toBe(followUp.dueBy);

    for (const address of [OWNER, TEAM]) {
      const emails = await ownerEmailsFor(address, invitationId);
      expect(emails, address).toHaveLength(1);
      const [email] = emails;
      expect(email!.body.html).toBeUndefined();
      expect(email!.subject).toContain('support-call scored 2');
      expect(email!.body.text).toContain('Score: 2 (NPS, 0–10');
      expect(email!.body.text).toContain('Comment:\n> Kept on hold 40 min');
      expect(email!.body.text).toMatch(/They asked to be contacted: reply to c-.*@example\.com/);
      expect(email!.body.text).toContain('Follow up by: Monday, 23 November 2026 at 12:00 GMT');
      expect(email!.body.text).toContain(`http://127.0.0.1:3999/dashboard/cases/${invitationId}`);
    }
    // The customer who ticked "you may contact me" is told when to expect it.
    expect(page).toContain('Acme will contact you by Monday 23 November at 12:00');
  });

  it('moves a case open → contacted → resolved with a root cause and a note, recording who and when', async () => {
    const { invitationId, page } = await answered(4);
    expect(page).not.toContain('will contact you');
    await handlerAt('2026-11-20T16:01:00Z')(published(invitationId, SURVEY_FOLLOW_UP_REQUESTED)[0]);
    const opened = (await caseOf(rt, invitationId))!;
    expect(opened.contactAllowed).toBe(false);

    const contacted = await moveCase(
      rt,
      opened,
      { to: 'contacted', by: 'owner-sub-1', note: 'Called back, left a message.' },
      new Date('2026-11-23T09:30:00Z'),
    );
    expect(contacted).toMatchObject({
      status: 'contacted',
      firstContactAt: '2026-11-23T09:30:00.000Z',
      notes: [{ by: 'owner-sub-1', text: 'Called back, left a message.' }],
    });
    await expect(
      moveCase(rt, contacted, { to: 'resolved', by: 'owner-sub-1' }, new Date()),
    ).rejects.toThrow(/needs a root cause/);
    await expect(
      moveCase(
        rt,
        contacted,
        { to: 'resolved', by: 'owner-sub-1', rootCause: 'price' },
        new Date(),
      ),
    ).rejects.toThrow(
      /"price" is not a root cause of support-call: pick one of staff, process, other/,
    );
    const resolved = await moveCase(
      rt,
      contacted,
      { to: 'resolved', by: 'owner-sub-1', rootCause: 'staff' },
      new Date('2026-11-23T10:00:00Z'),
    );
    expect(resolved).toMatchObject({
      status: 'resolved',
      rootCause: 'staff',
      closedAt: '2026-11-23T10:00:00.000Z',
    });
    expect(resolved.transitions.map((t) => [t.to, t.by])).toEqual([
      ['open', 'afterword'],
      ['contacted', 'owner-sub-1'],
      ['resolved', 'owner-sub-1'],
    ]);
    // Closed is closed; and a second owner acting on the stale copy is told what happened.
    await expect(
      moveCase(rt, resolved, { to: 'no-action', by: 'owner-sub-2' }, new Date()),
    ).rejects.toBeInstanceOf(CaseTransitionError);
    await expect(
      moveCase(rt, contacted, { to: 'no-action', by: 'owner-sub-2' }, new Date()),
    ).rejects.toThrow(/changed meanwhile: it is resolved now/);
  });

  it('withdraws the case when the customer raises the score, even when the withdrawal comes first', async () => {
    const first = await answered(3);
    const handle = handlerAt('2026-11-20T16:02:00Z');
    await handle(published(first.invitationId, SURVEY_FOLLOW_UP_REQUESTED)[0]);
    const raised = await postForm(first.path, 'score=9');
    expect(raised.status).toBe(200);
    const [withdrawal] = published(first.invitationId, SURVEY_FOLLOW_UP_WITHDRAWN);
    expect(await handle(withdrawal)).toBe('withdrawn');
    expect(await handle(withdrawal)).toBe('already-closed');
    expect(await caseOf(rt, first.invitationId)).toMatchObject({
      status: 'withdrawn',
      closedAt: '2026-11-20T16:02:00.000Z',
      transitions: [{ to: 'open' }, { to: 'withdrawn', by: 'customer' }],
    });

    // EventBridge keeps no order: the withdrawal, then the request it withdraws.
    const second = await answered(1);
    await postForm(second.path, 'score=10');
    expect(await handle(published(second.invitationId, SURVEY_FOLLOW_UP_WITHDRAWN)[0])).toBe(
      'withdrawn',
    );
    expect(await handle(published(second.invitationId, SURVEY_FOLLOW_UP_REQUESTED)[0])).toBe(
      'exists',
    );
    expect((await caseOf(rt, second.invitationId))!.status).toBe('withdrawn');
    expect(await ownerEmailsFor(OWNER, second.invitationId)).toEqual([]);
  });

  it('marks an open case overdue at its deadline, once, and escalates it two business hours later', async () => {
    const late = await answered(0);
    const handled = await answered(5);
    const handle = handlerAt('2026-11-20T16:03:00Z');
    for (const { invitationId } of [late, handled])
      await handle(published(invitationId, SURVEY_FOLLOW_UP_REQUESTED)[0]);
    // The handled one is contacted on Monday morning, before its deadline (12:00).
    await moveCase(
      rt,
      (await caseOf(rt, handled.invitationId))!,
      { to: 'contacted', by: 'owner-sub-1' },
      new Date('2026-11-23T09:15:00Z'),
    );
    const overdueEvents = () =>
      rt.published.events.filter(
        (e) =>
          e.detailType === SURVEY_FOLLOW_UP_OVERDUE &&
          [late.invitationId, handled.invitationId].includes(
            (e.detail as { invitationId: string }).invitationId,
          ),
      );

    // Saturday and Sunday pass: not overdue (the deadline counts business hours).
    await handlerAt('2026-11-22T23:00:00Z')({ sweep: true });
    expect((await caseOf(rt, late.invitationId))!.overdueAt).toBeUndefined();
    // Monday 12:05: overdue, once, however often the sweep runs.
    await handlerAt('2026-11-23T12:05:00Z')({ sweep: true });
    await handlerAt('2026-11-23T12:06:00Z')({ sweep: true });
    expect((await caseOf(rt, late.invitationId))!.overdueAt).toBe('2026-11-23T12:05:00.000Z');
    expect((await caseOf(rt, handled.invitationId))!.overdueAt).toBeUndefined();
    expect(overdueEvents()).toHaveLength(1);
    expect(overdueEvents()[0]!.detail).toMatchObject({
      invitationId: late.invitationId,
      dueBy: '2026-11-23T12:00:00.000Z',
      overdueAt: '2026-11-23T12:05:00.000Z',
    });
    expect(await ownerEmailsFor(MANAGER, late.invitationId)).toEqual([]);

    // Two business hours after the deadline (14:00): escalated to the manager, once.
    await handlerAt('2026-11-23T13:55:00Z')({ sweep: true });
    expect(await ownerEmailsFor(MANAGER, late.invitationId)).toEqual([]);
    await handlerAt('2026-11-23T14:01:00Z')({ sweep: true });
    await handlerAt('2026-11-23T14:10:00Z')({ sweep: true });
    const escalations = await ownerEmailsFor(MANAGER, late.invitationId);
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.subject).toContain('Overdue follow-up');
    expect(escalations[0]!.body.text).toContain(`has not contacted the customer`);
    expect(await caseOf(rt, late.invitationId)).toMatchObject({
      escalatedAt: '2026-11-23T14:01:00.000Z',
      escalatedTo: MANAGER,
    });
    expect(overdueEvents()).toHaveLength(2);
    expect(overdueEvents()[1]!.detail).toMatchObject({ escalatedTo: MANAGER });

    // The nightly digest names the touchpoints with overdue cases and links to them.
    const digest = await buildDigest(rt, {
      now: new Date('2026-11-24T02:30:00Z'),
      dashboardUrl: 'http://127.0.0.1:3999/dashboard',
    });
    expect(digest.text).toMatch(/Overdue follow-ups: support-call \d+\./);
    expect(digest.html).toContain('/dashboard/cases?status=overdue');
  });

  it("withdraws the case the request opened between the withdrawal's read and its put", async () => {
    const { invitationId, path } = await answered(2);
    const handle = handlerAt('2026-11-20T16:04:00Z');
    await postForm(path, 'score=10');
    // The request's case lands first; the withdrawal's read is made to miss it, as a race would.
    const opened = (await rt.invitations.get(invitationId))!;
    await rt.cases.open(
      {
        ...(await caseOfRequest(invitationId)),
        openedAt: opened.followUpRequestedAt!,
      },
      2_000_000_000,
    );
    const miss = vi.spyOn(rt.cases, 'get').mockResolvedValueOnce(undefined);
    try {
      expect(await handle(published(invitationId, SURVEY_FOLLOW_UP_WITHDRAWN)[0])).toBe(
        'withdrawn',
      );
    } finally {
      miss.mockRestore();
    }
    expect((await caseOf(rt, invitationId))!.status).toBe('withdrawn');
  });

  it('keeps a case due when the bus refuses its overdue event, and sends it at the next sweep', async () => {
    const { invitationId } = await answered(1);
    await handlerAt('2026-11-20T16:05:00Z')(published(invitationId, SURVEY_FOLLOW_UP_REQUESTED)[0]);
    const refuse = vi.spyOn(rt.published, 'publish').mockRejectedValueOnce(new Error('throttled'));
    try {
      const first = (await handlerAt('2026-11-23T12:30:00Z')({ sweep: true })) as SweepResult;
      expect(first.failed).toBeGreaterThanOrEqual(1);
    } finally {
      refuse.mockRestore();
    }
    expect((await caseOf(rt, invitationId))!.overdueAt).toBeUndefined();
    await handlerAt('2026-11-23T12:35:00Z')({ sweep: true });
    expect((await caseOf(rt, invitationId))!.overdueAt).toBe('2026-11-23T12:35:00.000Z');
    expect(
      rt.published.events.filter(
        (e) =>
          e.detailType === SURVEY_FOLLOW_UP_OVERDUE &&
          (e.detail as { invitationId: string }).invitationId === invitationId,
      ),
    ).toHaveLength(1);
  });

  it('refuses a request that breaks its contract, naming the field', async () => {
    await expect(
      handlerAt('2026-11-20T16:00:00Z')({
        'detail-type': SURVEY_FOLLOW_UP_REQUESTED,
        detail: { version: '1', invitationId: 42 },
      }),
    ).rejects.toThrow(/detail\.invitationId/);
  });
});
