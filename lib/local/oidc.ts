/**
 * A real OpenID Connect provider for the local stack and the tests (`oidc-provider`, the certified
 * Node implementation), so the dashboard signs in locally through the very flow it uses on AWS
 * (authorization code with PKCE, ID token verified against the provider's keys). Its sign-in page
 * is a local stand-in, clearly marked: pick a local user (the CX lead, or a program's owner) with one
 * click; no password, since nothing here is reachable from another machine.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import type { AfterwordConfig } from '../config/schema.js';
import { html } from '../domain/html.js';

export const LOCAL_OIDC_CLIENT_ID = 'afterword-dashboard-local';
export const LOCAL_GROUPS_CLAIM = 'groups';

export interface LocalUser {
  /** The account id (`sub`): opaque, as an identity provider's is. */
  id: string;
  email: string;
  name: string;
  groups: string[];
}

/** The local users: a CX lead, and each program's owner (the owner group). */
export function localUsers(config: Pick<AfterwordConfig, 'programs' | 'digest'>): LocalUser[] {
  const lead = config.digest?.recipients[0] ?? 'cx-lead@localhost';
  const owners = new Map<string, string>();
  for (const program of config.programs) owners.set(program.owner.email, program.owner.name);
  return [
    { id: 'local-cx-lead', email: lead, name: 'CX lead (local)', groups: ['cx-lead'] },
    ...[...owners].map(([email, name], i) => ({
      id: `local-owner-${i + 1}`,
      email,
      name: `${name} (local)`,
      groups: ['owner'],
    })),
  ];
}

export interface RunningOidcProvider {
  issuer: string;
  stop(): Promise<void>;
}

export async function startLocalOidcProvider(options: {
  port: number;
  /** Where the dashboard wants the browser back (its `/dashboard/auth/callback`). */
  redirectUris: string[];
  /** Where the dashboard sends the browser after signing out. */
  postLogoutRedirectUris: string[];
  users: LocalUser[];
}): Promise<RunningOidcProvider> {
  const users = new Map(options.users.map((user) => [user.id, user]));
  // The issuer must name the port before the provider exists: listen first.
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  const configuration: Configuration = {
    clients: [
      {
        client_id: LOCAL_OIDC_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    jwks: { keys: [privateKey.export({ format: 'jwk' })] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // The groups come with the profile scope, as Cognito's come in every ID token.
    claims: { openid: ['sub'], email: ['email'], profile: ['name', LOCAL_GROUPS_CLAIM] },
    findAccount: (_ctx, id) => {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: user.email,
          name: user.name,
          [LOCAL_GROUPS_CLAIM]: user.groups,
        }),
      };
    },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/local-sign-in/${interaction.uid}` },
    ttl: {
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
      IdToken: 3600,
      AccessToken: 3600,
      AuthorizationCode: 60,
    },
    // Every user the local page offers has its claims in the ID token (no userinfo round trip).
    conformIdTokenClaims: false,
  };
  const provider = new Provider(issuer, configuration);

  async function handle(req: IncomingMessage, res: ServerResponse) {
    try {
      const url = new URL(req.url ?? '/', issuer);
      const match = /^\/local-sign-in\/([\w-]+)$/.exec(url.pathname);
      if (!match) return provider.callback()(req, res);
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'POST') {
        const form = new URLSearchParams(await body(req));
        const user = users.get(form.get('user') ?? '');
        if (!user) {
          return page(res, 400, signInPage(details.uid, [...users.values()], 'Pick a user.'));
        }
        const grant = new provider.Grant({
          accountId: user.id,
          clientId: String(details.params.client_id),
        });
        grant.addOIDCScope('openid email profile');
        grant.addOIDCClaims(['email', 'name', LOCAL_GROUPS_CLAIM]);
        const grantId = await grant.save();
        return provider.interactionFinished(
          req,
          res,
          { login: { accountId: user.id }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      }
      return page(res, 200, signInPage(details.uid, [...users.values()]));
    } catch (error) {
      page(res, 400, html`<p>Local sign-in failed: ${(error as Error).message}</p>`.value);
    }
  }

  function page(res: ServerResponse, status: number, content: string) {
    // The form's POST ends in a redirect to the dashboard's callback: CSP's form-action covers
    // redirects after a submission, so the dashboard's origin is allowed besides our own.
    const origins = [...new Set(options.redirectUris.map((uri) => new URL(uri).origin))];
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; form-action 'self' ${origins.join(' ')}; frame-ancestors 'none'`,
    });
    res.end(content);
  }

  return {
    issuer,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function signInPage(uid: string, users: LocalUser[], error?: string): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Local sign-in</title></head>
<body><main>
<h1>Local sign-in (development only)</h1>
<p>This is the local stack's stand-in for your identity provider. On AWS, CX leads sign in with
Amazon Cognito or your company's identity provider.</p>
${error ? html`<p role="alert">${error}</p>` : ''}
<form method="post" action="/local-sign-in/${uid}">
${users.map(
  (user) =>
    html`<p><button type="submit" name="user" value="${user.id}">Sign in as ${user.name}: ${user.email} (${user.groups.join(', ')})</button></p>`,
)}
</form>
</main></body></html>`.value;
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += (chunk as Buffer).toString();
    if (text.length > 4096) break;
  }
  return text;
}
