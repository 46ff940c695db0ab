/**
 * Sign-in for the dashboard: an OpenID Connect relying party (authorization code with PKCE, handled
 * server-side) over `openid-client`, for any standard issuer: Amazon Cognito by default on AWS, the
 * company's own (Okta, Entra ID, Google) as a parameter, `oidc-provider` in-process locally and in
 * tests. The ID token's signature, issuer, audience, expiry and nonce are verified by the library.
 */
import * as client from 'openid-client';

export interface OidcSettings {
  /** The issuer URL (its `/.well-known/openid-configuration` is read once per container). */
  issuer: string;
  clientId: string;
  /** A confidential client's secret; none for a public client (PKCE alone binds the code). */
  clientSecret?: string;
  /** Where the issuer sends the browser back: `<dashboard>/auth/callback`. */
  redirectUri: string;
  /** The ID-token claim that lists the user's groups (`cognito:groups` on Cognito). */
  groupsClaim: string;
  /** Plain-HTTP issuers are allowed only for the local one (and tests). */
  allowHttp?: boolean;
  /**
   * A sign-out endpoint for issuers that publish none in their discovery document (Cognito's is
   * `https://<domain>/logout`, taking `client_id` and `logout_uri`).
   */
  logoutUrl?: string;
}

/** What the browser must carry from the login redirect back to the callback (sealed in a cookie). */
export interface SignInTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The dashboard path to return to after signing in (same-origin path only). */
  returnTo: string;
}

/** Who signed in, as the ID token says. */
export interface SignedInClaims {
  sub: string;
  email?: string;
  name?: string;
  groups: string[];
  /** The ID token itself, for the issuer's sign-out (`id_token_hint`). */
  idToken?: string;
}

export class OidcRelyingParty {
  private configuration?: Promise<client.Configuration>;

  constructor(private readonly settings: OidcSettings) {}

  /** The issuer's configuration, discovered on first use; a failed discovery is tried again next time. */
  private config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        undefined,
        this.settings.clientSecret
          ? client.ClientSecretPost(this.settings.clientSecret)
          : client.None(),
        this.settings.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }

  /** Where to send the browser to sign in, and what to keep until it comes back. */
  async signInUrl(returnTo: string): Promise<{ url: URL; transaction: SignInTransaction }> {
    const config = await this.config();
    const transaction: SignInTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      returnTo,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, transaction };
  }

  /**
   * Completes the sign-in from the issuer's redirect: checks state, exchanges the code with the
   * PKCE verifier, verifies the ID token (signature, issuer, audience, expiry, nonce).
   */
  async complete(callbackUrl: URL, transaction: SignInTransaction): Promise<SignedInClaims> {
    const config = await this.config();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    const groups = claims[this.settings.groupsClaim];
    return {
      sub: claims.sub,
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
      ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
      ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
    };
  }

  /** The issuer's sign-out URL, when it has one, returning to `returnTo`. */
  async signOutUrl(returnTo: string, idToken?: string): Promise<URL | undefined> {
    const config = await this.config();
    if (!config.serverMetadata().end_session_endpoint) {
      if (!this.settings.logoutUrl) return undefined;
      const url = new URL(this.settings.logoutUrl);
      url.searchParams.set('client_id', this.settings.clientId);
      url.searchParams.set('logout_uri', returnTo);
      return url;
    }
    return client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: returnTo,
      client_id: this.settings.clientId,
      ...(idToken ? { id_token_hint: idToken } : {}),
    });
  }
}
