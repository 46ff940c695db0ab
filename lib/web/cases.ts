/**
 * The owner's queue: follow-up cases on the dashboard (same sign-in and roles), overdue first,
 * then by deadline; a case's page with the comment, the customer and their timeline, and the
 * actions (contacted, resolved with a root cause, no action, a note), as forms that need no script.
 */
import { maySee } from '../auth/roles.js';
import { CLOSED_STATUSES, type FollowUpCase } from '../contracts/follow-up-case.js';
import type { Invitation } from '../contracts/invitation.js';
import { html, type SafeHtml } from '../domain/html.js';
import { addDays } from '../domain/time.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { byUrgency, caseWithInvitation, isOverdue, FOLLOW_UP_USES } from '../usecases/follow-up.js';
import { layout, type PageContext } from './dashboard.js';
import { formatInterval } from '../domain/display.js';
import type { FollowUpMeasures, Share } from '../usecases/follow-up-measures.js';

/** What cases reaches of the runtime: its functions are built with these and no more. */
export const WEB_CASES_USES = [
  ...FOLLOW_UP_USES,
  'cases',
  'config',
  'programFor',
] as const satisfies readonly RuntimePart[];
export type WebCasesDeps = Needs<typeof WEB_CASES_USES>;

/** How far back the queue's "all" view looks; the open and overdue views read every kept case. */
export const QUEUE_DAYS = 90;

export type QueueFilter = 'open' | 'overdue' | 'all';

export interface QueueView {
  filter: QueueFilter;
  cases: FollowUpCase[];
  now: Date;
}

/** The cases a user may see, overdue first, then by deadline (closed ones by close, newest first). */
export async function queueData(
  rt: WebCasesDeps,
  visible: Set<string> | 'all',
  filter: QueueFilter,
  now: Date,
): Promise<QueueView> {
  const today = now.toISOString().slice(0, 10);
  // A case stays open until someone acts: the open views read back as far as cases are kept.
  const back = filter === 'all' ? QUEUE_DAYS : rt.config.dataRetentionDays;
  const opened = await rt.cases.opened(addDays(today, -back), today);
  const cases = opened
    .filter((c) => maySee(visible, c.touchpoint))
    .filter((c) =>
      filter === 'all'
        ? true
        : filter === 'overdue'
          ? isOverdue(c, now)
          : !CLOSED_STATUSES.includes(c.status),
    )
    .sort(byUrgency(now));
  return { filter, cases, now };
}

export interface CaseView {
  followUp: FollowUpCase;
  invitation: Invitation;
  rootCauses: string[];
  now: Date;
}

/** One case with its invitation (comment, customer), or undefined when it is not there. */
export async function caseData(
  rt: WebCasesDeps,
  invitationId: string,
  now: Date,
): Promise<CaseView | undefined> {
  const found = await caseWithInvitation(rt, invitationId);
  if (!found) return undefined;
  const { followUp, invitation } = found;
  return {
    followUp,
    invitation,
    rootCauses: rt.programFor(followUp.touchpoint)?.rootCauses ?? [],
    now,
  };
}

const STATUS_LABELS: Record<FollowUpCase['status'], string> = {
  open: 'open',
  contacted: 'contacted',
  resolved: 'resolved',
  'no-action': 'no action',
  withdrawn: 'withdrawn by the customer',
};

function minute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function statusOf(followUp: FollowUpCase, now: Date): SafeHtml {
  return isOverdue(followUp, now)
    ? html`<span class="below-target">overdue</span>`
    : html`${STATUS_LABELS[followUp.status]}`;
}

export function queuePage(view: QueueView, context: PageContext): string {
  const tab = (filter: QueueFilter, label: string) =>
    html`<a href="/dashboard/cases?status=${filter}"${view.filter === filter ? html` aria-current="true"` : ''}>${label}</a>`;
  const overdue = view.cases.filter((c) => isOverdue(c, view.now)).length;
  const body = html`<p><a href="/dashboard">← Back to the dashboard</a></p>
<section aria-label="Which cases"><p class="presets">Show: ${tab('open', 'Open')} ${tab('overdue', 'Overdue')} ${tab('all', 'All, last 90 days')} · <a href="/dashboard/follow-up">How the loop closes</a></p></section>
<section><h2>${view.cases.length} case${view.cases.length === 1 ? '' : 's'}${overdue ? html`, <span class="below-target">${overdue} overdue</span>` : ''}</h2>
${
  view.cases.length
    ? html`<div class="scroll"><table><tr><th>Due by</th><th>Status</th><th>Touchpoint</th><th class="num">Score</th><th>May contact</th><th>Owner</th><th>Case</th></tr>
${view.cases.map(
  (c) =>
    html`<tr><td>${minute(c.dueBy)}</td><td>${statusOf(c, view.now)}</td><td>${c.touchpoint} · ${c.channel}</td><td class="num">${c.score}</td><td>${c.contactAllowed ? 'yes' : 'no'}</td><td>${c.owner.name}</td><td><a href="/dashboard/cases/${encodeURIComponent(c.invitationId)}">open case <span class="meta">${c.invitationId.slice(0, 8)}</span></a></td></tr>`,
)}
</table></div>`
    : html`<p>No ${view.filter === 'all' ? '' : `${view.filter} `}cases. Nothing waits for you.</p>`
}
</section>`;
  return layout(context, 'Follow-up cases', body);
}

export function casePage(
  view: CaseView,
  context: PageContext,
  notice?: { ok: boolean; text: string },
): string {
  const { followUp: c, invitation } = view;
  const closed = CLOSED_STATUSES.includes(c.status);
  const action = `/dashboard/cases/${encodeURIComponent(c.invitationId)}`;
  const csrf = html`<input type="hidden" name="csrf" value="${context.csrf}">`;
  const note = (id: string) =>
    html`<label for="${id}">Note (optional)</label><textarea id="${id}" name="note" maxlength="1000" rows="2"></textarea>`;
  const body = html`<p><a href="/dashboard/cases">← Back to the cases</a></p>
${notice ? html`<p class="${notice.ok ? 'meta' : 'error'}" role="status">${notice.text}</p>` : ''}
<section><h2>${c.touchpoint} · score ${c.score} · ${statusOf(c, view.now)}</h2>
${invitation.score !== undefined && invitation.score !== c.score ? html`<p class="meta">The customer has since changed the answer to ${invitation.score}.</p>` : ''}
<dl>
<dt>Due by</dt><dd>${minute(c.dueBy)}${c.overdueAt ? ` (overdue since ${minute(c.overdueAt)})` : ''}${c.escalatedTo ? ` · escalated to ${c.escalatedTo}` : ''}</dd>
<dt>Comment</dt><dd>${invitation.comment ? html`<blockquote><p>${invitation.comment}</p></blockquote>` : 'none'}</dd>
<dt>Customer</dt><dd>${invitation.name ?? 'no name given'}${invitation.followUp === true && invitation.email ? html` · <a href="mailto:${invitation.email}">${invitation.email}</a> (asked to be contacted)` : ' (did not ask to be contacted)'} · <a href="/dashboard/customers/${encodeURIComponent(c.customerId)}">timeline</a></dd>
<dt>Interaction</dt><dd>${invitation.interactionId} · ${c.channel} · ${minute(invitation.occurredAt)}${c.segment ? ` · segment ${c.segment}` : ''}</dd>
<dt>Owner</dt><dd>${c.owner.name}</dd>
${c.rootCause ? html`<dt>Root cause</dt><dd>${c.rootCause}</dd>` : ''}
</dl></section>
${
  closed
    ? ''
    : html`<section><h2>Act on it</h2>
${
  c.status === 'open'
    ? html`<form class="case-form" method="post" action="${action}">${csrf}<input type="hidden" name="action" value="contacted">${note('note-contacted')}<button type="submit">Mark contacted</button></form>`
    : ''
}
<form class="case-form" method="post" action="${action}">${csrf}<input type="hidden" name="action" value="resolved">
<label for="root-cause">Root cause</label><select id="root-cause" name="rootCause" required><option value="">Choose…</option>${view.rootCauses.map((cause) => html`<option value="${cause}">${cause}</option>`)}</select>
${note('note-resolved')}<button type="submit">Resolve</button></form>
<form class="case-form" method="post" action="${action}">${csrf}<input type="hidden" name="action" value="no-action">${note('note-none')}<button type="submit">Close without action</button></form>
</section>`
}
<section><h2>History</h2><ul>
${c.transitions.map((t) => html`<li>${minute(t.at)}: ${STATUS_LABELS[t.to]} (${t.by})</li>`)}
</ul>
${c.notes.length ? html`<h3>Notes</h3>${c.notes.map((n) => html`<blockquote><p>${n.text}</p><p class="meta">${minute(n.at)} · ${n.by}</p></blockquote>`)}` : ''}
<form class="case-form" method="post" action="${action}">${csrf}<input type="hidden" name="action" value="note"><label for="note-only">Add a note</label><textarea id="note-only" name="note" maxlength="1000" rows="2" required></textarea><button type="submit">Add note</button></form>
</section>`;
  return layout(context, `Follow-up case`, body);
}

/** The periods the loop's measures offer, in days up to today. */
export const MEASURE_PERIODS = [28, 90] as const;

function shareCell(share: Share): SafeHtml {
  if (share.share === null) return html`–`;
  return html`${share.share.toFixed(0)} % <span class="meta">${formatInterval(share.ciLow, share.ciHigh)}, n = ${share.n}${share.lowN ? html` <span class="low-n-mark">low n</span>` : ''}</span>`;
}

const hours = (value: number | null) => (value === null ? '–' : `${value.toFixed(1)} h`);

export function measuresPage(rows: FollowUpMeasures[], days: number, context: PageContext): string {
  const period = (n: number) =>
    html`<a href="/dashboard/follow-up?days=${n}"${n === days ? html` aria-current="true"` : ''}>Last ${n} days</a>`;
  const body = html`<p><a href="/dashboard/cases">← Back to the cases</a></p>
<section aria-label="Period"><p class="presets">Cases opened: ${MEASURE_PERIODS.map(period)}</p></section>
<section><h2>Per touchpoint${rows[0] ? `, ${rows[0].from} to ${rows[0].to}` : ''}</h2>
${
  rows.length
    ? html`<div class="scroll"><table><tr><th>Touchpoint</th><th class="num">Opened</th><th class="num">Open</th><th class="num">Overdue</th><th class="num">Within deadline</th><th class="num">To first contact</th><th class="num">To close</th><th>Root causes</th><th class="num">Recovered, followed up</th><th class="num">Recovered, not followed up</th></tr>
${rows.map(
  (r) =>
    html`<tr><td>${r.group === '*' ? 'All' : r.group}</td><td class="num">${r.opened}${r.withdrawn ? html`<br><span class="meta">${r.withdrawn} withdrawn</span>` : ''}</td><td class="num">${r.open}</td><td class="num">${r.overdue}</td><td class="num">${shareCell(r.withinDeadline)}</td><td class="num">${hours(r.medianHoursToFirstContact)}</td><td class="num">${hours(r.medianHoursToClose)}</td><td>${r.rootCauses.map((c) => `${c.rootCause} ${c.count}`).join(', ') || '–'}</td><td class="num">${shareCell(r.recoveryFollowedUp)}</td><td class="num">${shareCell(r.recoveryNotFollowedUp)}</td></tr>`,
)}
</table></div>
<p class="meta">Within deadline: first contact (or a close) by the due-by time, among cases handled or past due. Times are medians from the answer. Recovered: the customer's next answer, to any program within ${rows[0]?.recoveryWindowDays ?? 90} days, was above the follow-up threshold; customers without a next answer are left out. Who gets followed up is no random draw, so the two columns describe; they do not prove that the follow-up caused the recovery. 95 % Wilson intervals as [low, high]; low n: fewer than 30.</p>`
    : html`<p>No follow-up cases were opened in this period.</p>`
}
</section>`;
  return layout(context, 'How the loop closes', body);
}
