/**
 * The CX dashboard as a web app behind sign-in (Hono): the same app runs in its own Lambda function
 * behind the survey API's `/dashboard` routes, and on the local server.
 *
 * Primary course of a request:
 * 1. `/dashboard/auth/*`: sign in through the OpenID Connect issuer (authorization code + PKCE;
 *    state, nonce and verifier sealed in a short-lived cookie), sign out (a POST with the session's
 *    CSRF token, then the issuer's sign-out).
 * 2. Anything else needs a session: a sealed, HttpOnly, SameSite=Lax cookie of bounded lifetime;
 *    without one, a GET goes to sign-in and comes back, anything else is refused.
 * 3. The user's role decides what they see: a CX lead everything, an owner their touchpoints;
 *    a request for anything else is a 403.
 * 4. Views of answers, comments and customers, and every export, are written to the access log.
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { inFunction } from '../adapters/function-scope.js';
import { log } from '../adapters/log.js';
import { OidcRelyingParty } from '../auth/oidc.js';
import { visibleTouchpoints } from '../auth/roles.js';
import { CookieSealer } from '../auth/session.js';
import { driversToCsv, toCsv } from '../contracts/report-csv.js';
import { driverRows } from '../domain/driver-rows.js';
import type { Needs, RuntimePart } from '../runtime.js';
import { customerRef, type AuditAction } from '../store/audit.js';
import {
  answersPage,
  customerPage,
  dashboardPage,
  messagePage,
  today,
  type PageContext,
} from './dashboard.js';
import { DASHBOARD_STYLES } from './dashboard-styles.js';
import { answersData, customerData, dashboardData, DASHBOARD_USES } from '../usecases/dashboard.js';
import {
  InvalidQueryError,
  parseDashboardQuery,
  type DashboardQuery,
} from '../usecases/dashboard-query.js';
import { securityHeaders } from './security.js';
import { SESSION_COOKIE, signInRoutes, type Session } from './sign-in-routes.js';
import { caseRoutes, WEB_CASE_ROUTES_USES } from './case-routes.js';
import { expectationRoutes, WEB_EXPECTATION_ROUTES_USES } from './expectation-routes.js';
import { forbidden } from './forbidden.js';

/** What dashboard-app reaches of the runtime: its functions are built with these and no more. */
export const WEB_DASHBOARD_APP_USES = [
  ...WEB_EXPECTATION_ROUTES_USES,
  ...DASHBOARD_USES,
  ...WEB_CASE_ROUTES_USES,
  'audit',
  'config',
  'publicBaseUrl',
  'settings',
] as const satisfies readonly RuntimePart[];
export type WebDashboardAppDeps = Needs<typeof WEB_DASHBOARD_APP_USES>;

export interface DashboardAppOptions {
  now?: () => Date;
}

export function createDashboardApp(
  rt: WebDashboardAppDeps,
  options: DashboardAppOptions = {},
): Hono {
  const now = options.now ?? (() => new Date());
  const settings = rt.settings.dashboard;
  if (!settings) throw new Error('the dashboard has no sign-in configured');
  const sealer = new CookieSealer(settings.sessionKeys, () => now().getTime());
  const relyingParty = new OidcRelyingParty(settings.oidc);
  const publicOrigin = new URL(rt.publicBaseUrl).origin;
  const secure = publicOrigin.startsWith('https:');
  // Signing out posts to us and ends at the issuer's sign-out: CSP's form-action must allow it.
  const issuerOrigins = [settings.oidc.issuer, settings.oidc.logoutUrl]
    .filter((url): url is string => Boolean(url))
    .map((url) => new URL(url).origin);
  const cookie = (path: string, maxAge: number) =>
    ({ httpOnly: true, secure, sameSite: 'Lax', path, maxAge }) as const;
  const app = new Hono();

  // Everything here is the dashboard function's work.
  app.use('*', (_c, next) => inFunction('dashboard', next));
  app.use('*', securityHeaders({ formActions: issuerOrigins }));
  app.get('/dashboard/assets/dashboard.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    return c.body(DASHBOARD_STYLES);
  });

  // 1. Sign-in and sign-out.
  signInRoutes(app, { rt, settings, sealer, relyingParty, publicOrigin, cookie });

  // 2. Everything else needs a session with a role.
  const signedIn = async (c: Context) => {
    const session = await sealer.open<Session>('session', getCookie(c, SESSION_COOKIE));
    return session?.user.roles.length ? session : undefined;
  };
  const toSignIn = (c: Context) => {
    const url = new URL(c.req.url);
    const returnTo = `${url.pathname}${url.search}`;
    return c.redirect(`/dashboard/auth/login?returnTo=${encodeURIComponent(returnTo)}`, 302);
  };
  const context = (session: Session): PageContext => ({
    brand: rt.config.brand,
    user: session.user,
    csrf: session.csrf,
  });
  const audit = async (session: Session, action: AuditAction, scope: string, count: number) => {
    await rt.audit.record({
      at: now().toISOString(),
      actor: session.user.sub,
      roles: session.user.roles,
      action,
      scope,
      count,
    });
  };
  /** The view's period and filters, or the page saying what is wrong with them (400). */
  const queryOf = (c: Context): DashboardQuery | Response => {
    try {
      return parseDashboardQuery(new URL(c.req.url).searchParams, today(rt, now()));
    } catch (error) {
      if (!(error instanceof InvalidQueryError)) throw error;
      return c.html(
        messagePage('That view does not exist', error.message, {
          href: '/dashboard',
          label: 'Back to the dashboard',
        }),
        400,
      );
    }
  };

  app.get('/dashboard', async (c) => {
    const session = await signedIn(c);
    if (!session) return toSignIn(c);
    const visible = visibleTouchpoints(session.user, rt.config);
    const query = queryOf(c);
    if (query instanceof Response) return query;
    if (query.filters.touchpoint && visible !== 'all' && !visible.has(query.filters.touchpoint)) {
      return forbidden(c);
    }
    const data = await dashboardData(rt, query, visible, now());
    if (data.comments.length) {
      await audit(
        session,
        'view-answers',
        `unhappy comments ${scopeOf(query)}`,
        data.comments.length,
      );
    }
    return c.html(dashboardPage(data, context(session)));
  });

  app.get('/dashboard/answers', async (c) => {
    const session = await signedIn(c);
    if (!session) return toSignIn(c);
    const visible = visibleTouchpoints(session.user, rt.config);
    const query = queryOf(c);
    if (query instanceof Response) return query;
    const { touchpoint } = query.filters;
    if (visible !== 'all' && (!touchpoint || !visible.has(touchpoint))) return forbidden(c);
    const before = c.req.query('before');
    const page = await answersData(rt, query, visible, before?.slice(0, 200));
    await audit(session, 'view-answers', scopeOf(query), page.answers.length);
    return c.html(answersPage(query, page, context(session)));
  });

  app.get('/dashboard/customers/:customerId', async (c) => {
    const session = await signedIn(c);
    if (!session) return toSignIn(c);
    const customerId = c.req.param('customerId');
    const view = await customerData(rt, customerId, visibleTouchpoints(session.user, rt.config));
    if (!view) return forbidden(c);
    await audit(session, 'view-customer', customerRef(customerId), view.entries.length);
    return c.html(customerPage(view, context(session)));
  });

  const exportView = (format: 'csv' | 'json' | 'drivers') => async (c: Context) => {
    const session = await signedIn(c);
    if (!session) return toSignIn(c);
    const visible = visibleTouchpoints(session.user, rt.config);
    const query = queryOf(c);
    if (query instanceof Response) return query;
    if (query.filters.touchpoint && visible !== 'all' && !visible.has(query.filters.touchpoint)) {
      return forbidden(c);
    }
    const data = await dashboardData(rt, query, visible, now());
    const rows = [...data.rows, ...data.totals];
    await audit(session, 'export', scopeOf(query), rows.length);
    const name = `afterword-${query.from}-${query.to}`;
    if (format === 'drivers') {
      // The questionnaire's answers over the period, one row per option and score group.
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="${name}-drivers.csv"`);
      return c.body(driversToCsv(driverRows(data.totals, data.programOf)));
    }
    if (format === 'csv') {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="${name}.csv"`);
      return c.body(toCsv(rows));
    }
    c.header('Content-Disposition', `attachment; filename="${name}.json"`);
    return c.json(rows);
  };
  app.get('/dashboard/export.csv', exportView('csv'));
  app.get('/dashboard/export.json', exportView('json'));
  app.get('/dashboard/export-drivers.csv', exportView('drivers'));

  // 3. The owner's follow-up cases and the follow-up measures.
  caseRoutes(app, { rt, now, publicOrigin, signedIn, toSignIn, context, audit });
  expectationRoutes(app, { rt, now, publicOrigin, signedIn, audit });

  app.notFound((c) => c.html(messagePage('Not found', 'There is no such dashboard page.'), 404));
  app.onError((error, c) => {
    log.error('dashboard.error', { error: error.name, path: c.req.routePath });
    return c.html(messagePage('Something went wrong', 'Please try again in a minute.'), 500);
  });
  return app;
}

/** The period and filters of a view, for the access log (no customer data). */
function scopeOf(query: DashboardQuery): string {
  const filters = Object.entries(query.filters).map(([name, value]) => `${name}=${value}`);
  return [`${query.from}..${query.to}`, ...filters].join(' ');
}
