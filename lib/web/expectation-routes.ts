/**
 * The dashboard's recording of an owner's expected score (the perception gap): a POST from the
 * dashboard's own page with the session's CSRF token, for a touchpoint the user may see.
 */
import type { Context, Hono } from 'hono';
import { maySee, visibleTouchpoints } from '../auth/roles.js';
import type { Needs, RuntimePart } from '../runtime.js';
import type { AuditAction } from '../store/audit.js';
import {
  EXPECTATIONS_USES,
  InvalidExpectationError,
  recordExpectation,
} from '../usecases/expectations.js';
import { messagePage } from './dashboard.js';
import { forbidden } from './forbidden.js';
import { isCrossSite } from './security.js';
import type { Session } from './sign-in-routes.js';

export const WEB_EXPECTATION_ROUTES_USES = [
  ...EXPECTATIONS_USES,
  'config',
] as const satisfies readonly RuntimePart[];
export type WebExpectationRoutesDeps = Needs<typeof WEB_EXPECTATION_ROUTES_USES>;

/** The dashboard's own query string, to go back to the view the form was on (nothing else). */
const SAFE_QUERY = /^[\w=&%.+*-]{0,400}$/;

export function expectationRoutes(
  app: Hono,
  context: {
    rt: WebExpectationRoutesDeps;
    now: () => Date;
    publicOrigin: string;
    signedIn: (c: Context) => Promise<Session | undefined>;
    audit: (session: Session, action: AuditAction, scope: string, count: number) => Promise<void>;
  },
): void {
  const { rt, now, publicOrigin, signedIn, audit } = context;
  app.post('/dashboard/expectations', async (c) => {
    const session = await signedIn(c);
    const form = await c.req.parseBody();
    if (isCrossSite(c, publicOrigin) || !session || form.csrf !== session.csrf) {
      return c.html(messagePage('Refused', 'Sign in again and retry from the dashboard.'), 403);
    }
    const text = (name: string, max = 200) =>
      typeof form[name] === 'string' ? form[name].trim().slice(0, max) : '';
    const touchpoint = text('touchpoint');
    const month = text('month');
    if (!maySee(visibleTouchpoints(session.user, rt.config), touchpoint)) return forbidden(c);
    let score: number;
    try {
      score = await recordExpectation(rt, {
        touchpoint,
        month,
        score: text('score'),
        by: session.user.sub,
        at: now(),
      });
    } catch (error) {
      if (!(error instanceof InvalidExpectationError)) throw error;
      return c.html(
        messagePage('Not saved', `${error.message}.`, {
          href: '/dashboard',
          label: 'Back to the dashboard',
        }),
        400,
      );
    }
    await audit(session, 'set-expectation', `${touchpoint} ${month} ${score}`, 1);
    const back = text('back', 401);
    return c.redirect(
      `/dashboard${SAFE_QUERY.test(back) && back ? `?${back}` : ''}#expectations`,
      303,
    );
  });
}
