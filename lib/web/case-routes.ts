/**
 * The dashboard's follow-up pages: the owner's queue of cases, a case (read, note, move), and the
 * follow-up measures; each only for the touchpoints the signed-in user may see.
 */
import type { Context, Hono } from 'hono';
import { maySee, visibleTouchpoints } from '../auth/roles.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { customerRef, type AuditAction } from '../store/audit.js';
import { addDays } from '../domain/time.js';
import { followUpMeasures, FOLLOW_UP_MEASURES_USES } from '../usecases/follow-up-measures.js';
import { CaseTransitionError, moveCase, FOLLOW_UP_USES } from '../usecases/follow-up.js';
import {
  caseData,
  casePage,
  MEASURE_PERIODS,
  measuresPage,
  queueData,
  queuePage,
  type QueueFilter,
  WEB_CASES_USES,
} from './cases.js';
import { messagePage, today, type PageContext } from './dashboard.js';
import { forbidden } from './forbidden.js';
import { isCrossSite } from './security.js';
import type { Session } from './sign-in-routes.js';

/** What case-routes reaches of the runtime: its functions are built with these and no more. */
export const WEB_CASE_ROUTES_USES = [
  ...FOLLOW_UP_USES,
  ...FOLLOW_UP_MEASURES_USES,
  ...WEB_CASES_USES,
  'cases',
  'config',
] as const satisfies readonly RuntimePart[];
export type WebCaseRoutesDeps = Needs<typeof WEB_CASE_ROUTES_USES>;

/** What the dashboard app hands its route groups: the session and access-log helpers. */
export interface DashboardRoutes {
  rt: WebCaseRoutesDeps;
  now: () => Date;
  publicOrigin: string;
  signedIn: (c: Context) => Promise<Session | undefined>;
  toSignIn: (c: Context) => Response;
  context: (session: Session) => PageContext;
  audit: (session: Session, action: AuditAction, scope: string, count: number) => Promise<void>;
}

export function caseRoutes(
  app: Hono,
  { rt, now, publicOrigin, signedIn, toSignIn, context, audit }: DashboardRoutes,
): void {
  // The owner's queue: follow-up cases of the touchpoints the user may see.
  app.get('/dashboard/cases', async (c) => {
    const session = await signedIn(c);
    if (!session) return toSignIn(c);
    const requested = c.req.query('status') ?? 'open';
    const filter: QueueFilter =
      (['open', 'overdue', 'all'] as const).find((f) => f === requested) ?? 'open';
    const visible = visibleTouchpoints(session.user, rt.config);
    return c.html(queuePage(await queueData(rt, visible, filter, now()), context(session)));
  });

  app.get('/dashboard/follow-up', async (c) => {
    const session = await signedIn(c);
    if (!session) return toSignIn(c);
    const days =
      MEASURE_PERIODS.find((n) => String(n) === c.req.query('days')) ?? MEASURE_PERIODS[0];
    const to = today(rt, now());
    const rows = await followUpMeasures(rt, {
      from: addDays(to, -(days - 1)),
      to,
      by: 'touchpoint',
      now: now(),
      visible: visibleTouchpoints(session.user, rt.config),
    });
    return c.html(measuresPage(rows, days, context(session)));
  });

  app.get('/dashboard/cases/:invitationId', async (c) => {
    const session = await signedIn(c);
    if (!session) return toSignIn(c);
    const view = await caseData(rt, c.req.param('invitationId').slice(0, 200), now());
    if (!view)
      return c.html(
        messagePage('No such case', 'This case does not exist, or has expired.', {
          href: '/dashboard/cases',
          label: 'Back to the cases',
        }),
        404,
      );
    if (!maySee(visibleTouchpoints(session.user, rt.config), view.followUp.touchpoint))
      return forbidden(c);
    await audit(session, 'view-case', customerRef(view.followUp.customerId), 1);
    const requested = c.req.query('done');
    const done = ['note', 'contacted', 'resolved', 'no-action'].find((name) => name === requested);
    const notice = done
      ? { ok: true, text: `Saved: ${done === 'note' ? 'note added' : `case ${done}`}.` }
      : undefined;
    return c.html(casePage(view, context(session), notice));
  });

  app.post('/dashboard/cases/:invitationId', async (c) => {
    const session = await signedIn(c);
    const form = await c.req.parseBody();
    if (isCrossSite(c, publicOrigin) || !session || form.csrf !== session.csrf) {
      return c.html(messagePage('Refused', 'Sign in again and retry from the case page.'), 403);
    }
    const invitationId = c.req.param('invitationId').slice(0, 200);
    const view = await caseData(rt, invitationId, now());
    if (!view)
      return c.html(messagePage('No such case', 'This case does not exist, or has expired.'), 404);
    if (!maySee(visibleTouchpoints(session.user, rt.config), view.followUp.touchpoint))
      return forbidden(c);
    const text = (name: string) => (typeof form[name] === 'string' ? form[name].trim() : '');
    const action = text('action');
    const note = text('note');
    try {
      if (action === 'note') {
        if (!note) throw new CaseTransitionError('write the note first');
        if (note.length > 1000)
          throw new CaseTransitionError('a note has at most 1,000 characters');
        const added = await rt.cases.addNote(view.followUp, session.user.sub, note, now());
        if (!added.changed)
          throw new CaseTransitionError('the case has as many notes as it can hold (20)');
      } else if (action === 'contacted' || action === 'resolved' || action === 'no-action') {
        await moveCase(
          rt,
          view.followUp,
          {
            to: action,
            by: session.user.sub,
            ...(text('rootCause') ? { rootCause: text('rootCause') } : {}),
            ...(note ? { note } : {}),
          },
          now(),
        );
      } else {
        throw new CaseTransitionError(`unknown action "${action.slice(0, 40)}"`);
      }
    } catch (error) {
      if (!(error instanceof CaseTransitionError)) throw error;
      const fresh = (await caseData(rt, invitationId, now())) ?? view;
      return c.html(
        casePage(fresh, context(session), { ok: false, text: `Not saved: ${error.message}.` }),
        409,
      );
    }
    await audit(
      session,
      'move-case',
      `${view.followUp.touchpoint} ${action} ${customerRef(view.followUp.customerId)}`,
      1,
    );
    return c.redirect(`/dashboard/cases/${encodeURIComponent(invitationId)}?done=${action}`, 303);
  });
}
