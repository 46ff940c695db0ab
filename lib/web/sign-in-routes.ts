/**
 * The dashboard's sign-in and sign-out: through the OpenID Connect issuer (authorization code with
 * PKCE; state, nonce and verifier sealed in a short-lived cookie), a session sealed in an HttpOnly,
 * SameSite=Lax cookie of bounded lifetime, and sign-out by a POST with the session's CSRF token,
 * then at the issuer.
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomBytes } from 'node:crypto';
import { log } from '../adapters/log.js';
import { OidcRelyingParty, type SignInTransaction } from '../auth/oidc.js';
import { userFrom, type DashboardUser } from '../auth/roles.js';
import { CookieSealer } from '../auth/session.js';
import type { Needs, Runtime, RuntimePart } from '../runtime.js';
import { messagePage } from './dashboard.js';
import { isCrossSite } from './security.js';
import type { CookieOptions } from 'hono/utils/cookie';

/** What sign-in-routes reaches of the runtime: its functions are built with these and no more. */
export const WEB_SIGN_IN_ROUTES_USES = ['publicBaseUrl'] as const satisfies readonly RuntimePart[];
export type WebSignInRoutesDeps = Needs<typeof WEB_SIGN_IN_ROUTES_USES>;

export const SESSION_COOKIE = 'afterword_session';
export const SIGN_IN_COOKIE = 'afterword_sign_in';
/** A signed-in session lasts a working day; then the user signs in again. */
export const SESSION_SECONDS = 8 * 3600;
export const SIGN_IN_SECONDS = 600;

export interface Session {
  user: DashboardUser;
  csrf: string;
  idToken?: string;
}

export function signInRoutes(
  app: Hono,
  {
    rt,
    settings,
    sealer,
    relyingParty,
    publicOrigin,
    cookie,
  }: {
    rt: WebSignInRoutesDeps;
    settings: NonNullable<Runtime['settings']['dashboard']>;
    sealer: CookieSealer;
    relyingParty: OidcRelyingParty;
    publicOrigin: string;
    cookie: (path: string, maxAge: number) => CookieOptions;
  },
): void {
  app.get('/dashboard/auth/login', async (c) => {
    const returnTo = safeReturnTo(c.req.query('returnTo'));
    const { url, transaction } = await relyingParty.signInUrl(returnTo);
    setCookie(
      c,
      SIGN_IN_COOKIE,
      await sealer.seal('sign-in', transaction, SIGN_IN_SECONDS),
      cookie('/dashboard/auth', SIGN_IN_SECONDS),
    );
    return c.redirect(url.toString(), 302);
  });

  app.get('/dashboard/auth/callback', async (c) => {
    const transaction = await sealer.open<SignInTransaction>(
      'sign-in',
      getCookie(c, SIGN_IN_COOKIE),
    );
    deleteCookie(c, SIGN_IN_COOKIE, { path: '/dashboard/auth' });
    if (!transaction) {
      return c.html(
        messagePage('Sign-in expired', 'The sign-in took too long or was not started here.', {
          href: '/dashboard/auth/login',
          label: 'Sign in again',
        }),
        400,
      );
    }
    // The redirect URI as registered (behind a proxy the request's own URL may differ).
    const callback = new URL(settings.oidc.redirectUri);
    callback.search = new URL(c.req.url).search;
    let user: DashboardUser;
    let idToken: string | undefined;
    try {
      const claims = await relyingParty.complete(callback, transaction);
      user = userFrom(claims);
      idToken = claims.idToken;
    } catch (error) {
      log.warn('dashboard.sign-in-failed', { error: (error as Error).name });
      return c.html(
        messagePage('Sign-in failed', 'The identity provider did not confirm the sign-in.', {
          href: '/dashboard/auth/login',
          label: 'Try again',
        }),
        400,
      );
    }
    if (!user.roles.length) {
      log.info('dashboard.no-role', { sub: user.sub });
      return c.html(
        messagePage(
          'No access to the dashboard',
          'You are signed in, but your account is in neither the cx-lead nor the owner group. Ask the administrator of the Afterword stack to add you.',
        ),
        403,
      );
    }
    const session: Session = {
      user,
      csrf: randomBytes(16).toString('base64url'),
      ...(idToken ? { idToken } : {}),
    };
    setCookie(
      c,
      SESSION_COOKIE,
      await sealer.seal('session', session, SESSION_SECONDS),
      cookie('/dashboard', SESSION_SECONDS),
    );
    log.info('dashboard.signed-in', { sub: user.sub, roles: user.roles });
    return c.redirect(transaction.returnTo, 302);
  });

  app.post('/dashboard/auth/logout', async (c) => {
    const session = await sealer.open<Session>('session', getCookie(c, SESSION_COOKIE));
    const form = await c.req.parseBody();
    if (isCrossSite(c, publicOrigin) || !session || form.csrf !== session.csrf) {
      return c.html(
        messagePage('Request refused', 'Please sign out from the dashboard itself.'),
        403,
      );
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/dashboard' });
    const signedOut = new URL('/dashboard/auth/signed-out', rt.publicBaseUrl).toString();
    const atIssuer = await relyingParty
      .signOutUrl(signedOut, session.idToken)
      .catch(() => undefined);
    return c.redirect((atIssuer ?? new URL(signedOut)).toString(), 303);
  });

  app.get('/dashboard/auth/signed-out', (c) =>
    c.html(
      messagePage('You are signed out', 'Your dashboard session has ended.', {
        href: '/dashboard',
        label: 'Sign in again',
      }),
    ),
  );
}

/** Where to return after signing in: a dashboard path on this site, nothing else (no open redirect). */
export function safeReturnTo(value: string | undefined): string {
  if (!value || !value.startsWith('/dashboard') || value.startsWith('//') || /[\\\s]/.test(value)) {
    return '/dashboard';
  }
  return value.slice(0, 2000);
}
