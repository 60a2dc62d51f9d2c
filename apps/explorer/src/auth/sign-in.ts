import * as oauth from 'oauth4webapi';

/** What the gateway tells the Explorer at /explorer/config.json (apps/gateway/src/explorer/explorer-config.ts). */
export interface ExplorerConfig {
  auth: 'none' | 'token' | 'oidc';
  oidc?: { issuer: string; clientId: string; scopes: string; resource?: string };
}

/** Tokens of an OIDC sign-in, kept in session storage (this tab only, gone when it closes). */
interface OidcSession { accessToken: string; refreshToken?: string; idToken?: string; expiresAt: number; user: string }
/** What the redirect back to the Explorer is checked against and resumes. */
interface Pending { state: string; verifier: string; returnTo: string }

const PASTED = 'odt-token';
const SESSION = 'odt-oidc-session';
const PENDING = 'odt-oidc-pending';
const AUTO_SIGN_IN = 'odt-oidc-auto-sign-in';
/** A token this close to its expiry is refreshed before it is sent. */
const REFRESH_MARGIN_MS = 10_000;
const RESIGN_IN_GUARD_MS = 60_000;

const read = <T>(key: string): T | undefined => {
  try { return JSON.parse(sessionStorage.getItem(key) ?? 'null') ?? undefined; } catch { return undefined; }
};

/**
 * Signing in: nothing with authentication off; the OIDC authorization-code flow with PKCE (S256)
 * and `state` when the gateway names an issuer and a client (oauth4webapi); a pasted token always.
 */
export class SignIn {
  config: ExplorerConfig = { auth: 'none' };
  /** Said once, e.g. why the last sign-in failed. */
  problem = '';
  private server?: Promise<oauth.AuthorizationServer>;
  private refreshing?: Promise<string | undefined>;
  private version = 0;
  private readonly listeners = new Set<() => void>();

  subscribe = (fn: () => void) => { this.listeners.add(fn); return () => { this.listeners.delete(fn); }; };
  snapshot = () => this.version;
  private changed(): void { this.version++; for (const fn of this.listeners) fn(); }

  /** Reads the gateway's settings and, on the redirect back from the provider, finishes the sign-in. */
  async start(): Promise<void> {
    try {
      const res = await fetch('/explorer/config.json', { cache: 'no-cache' });
      if (res.ok) this.config = await res.json() as ExplorerConfig;
    } catch { /* an older gateway: pasted tokens only */ }
    const params = new URLSearchParams(location.search);
    if (read<Pending>(PENDING) && (params.has('code') || params.has('error'))) {
      await this.finish().catch((err: Error) => { this.problem = `Sign-in failed: ${err.message}`; });
    }
    this.changed();
  }

  get oidcAvailable(): boolean { return this.config.auth === 'oidc' && Boolean(this.config.oidc); }
  get pasted(): string | undefined { return sessionStorage.getItem(PASTED) ?? undefined; }
  get session(): OidcSession | undefined { return read<OidcSession>(SESSION); }
  /** Who is signed in, for the header: the user of an OIDC sign-in, `token` for a pasted one. */
  get signedInAs(): string | undefined { return this.pasted ? 'token' : this.session?.user; }

  usePastedToken(value: string | undefined): void {
    const token = value?.trim();
    if (token) sessionStorage.setItem(PASTED, token); else sessionStorage.removeItem(PASTED);
    this.changed();
  }

  /** Goes to the provider's authorization endpoint; it comes back to /explorer/ with a code. */
  async signIn(returnTo = location.pathname + location.search): Promise<void> {
    const { oidc } = this.config;
    if (!oidc) throw new Error('No identity provider is configured: paste a token.');
    const as = await this.discover();
    if (!as.authorization_endpoint) throw new Error(`${oidc.issuer} names no authorization endpoint.`);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: oidc.clientId,
      redirect_uri: redirectUri(),
      response_type: 'code',
      scope: oidc.scopes,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...(oidc.resource ? { resource: oidc.resource } : {}),
    }).toString();
    sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, returnTo } satisfies Pending));
    location.assign(url);
  }

  /** The bearer token for the next call: the pasted one, or the OIDC one, refreshed when it is about to expire. */
  async token(): Promise<string | undefined> {
    const pasted = this.pasted;
    if (pasted) return pasted;
    const session = this.session;
    if (!session) return undefined;
    if (session.expiresAt - Date.now() > REFRESH_MARGIN_MS) return session.accessToken;
    this.refreshing ??= this.refresh(session).finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  /** Forgets the tokens; with an OIDC session, also ends it at the provider (RP-initiated logout) when it offers that. */
  async signOut(): Promise<void> {
    const session = this.session;
    sessionStorage.removeItem(PASTED);
    sessionStorage.removeItem(SESSION);
    this.changed();
    if (!session || !this.config.oidc) return;
    const as = await this.discover().catch(() => undefined);
    if (!as?.end_session_endpoint) return;
    const url = new URL(as.end_session_endpoint);
    url.search = new URLSearchParams({
      client_id: this.config.oidc.clientId,
      post_logout_redirect_uri: redirectUri(),
      ...(session.idToken ? { id_token_hint: session.idToken } : {}),
    }).toString();
    location.assign(url);
  }

  private async finish(): Promise<void> {
    const pending = read<Pending>(PENDING)!;
    sessionStorage.removeItem(PENDING);
    const { oidc } = this.config;
    if (!oidc) throw new Error('the gateway no longer names an identity provider');
    const as = await this.discover();
    const client: oauth.Client = { client_id: oidc.clientId };
    try {
      // Checks `state` and turns an error redirect (`?error=access_denied`) into an exception.
      const params = oauth.validateAuthResponse(as, client, new URL(location.href), pending.state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.verifier, this.options());
      this.keep(await oauth.processAuthorizationCodeResponse(as, client, response));
      sessionStorage.removeItem(AUTO_SIGN_IN);
    } finally {
      // The code is single-use: take it out of the address bar, and go back where the sign-in started.
      history.replaceState(null, '', pending.returnTo || '/explorer/');
    }
  }

  private async refresh(session: OidcSession): Promise<string | undefined> {
    const { oidc } = this.config;
    if (oidc && session.refreshToken) {
      try {
        const as = await this.discover();
        const client: oauth.Client = { client_id: oidc.clientId };
        const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), session.refreshToken, this.options());
        const result = await oauth.processRefreshTokenResponse(as, client, response);
        this.keep(result, session);
        return result.access_token;
      } catch { /* a refresh token that expired or was revoked: sign in again */ }
    }
    sessionStorage.removeItem(SESSION);
    // Signing in again is usually invisible (the provider's own session is still there); not twice a minute, though.
    const last = Number(sessionStorage.getItem(AUTO_SIGN_IN) ?? 0);
    if (oidc && Date.now() - last > RESIGN_IN_GUARD_MS) {
      sessionStorage.setItem(AUTO_SIGN_IN, String(Date.now()));
      await this.signIn();
    } else {
      this.problem = 'The sign-in expired: sign in again.';
    }
    this.changed();
    return undefined;
  }

  private keep(result: oauth.TokenEndpointResponse, previous?: OidcSession): void {
    const claims = result.id_token ? oauth.getValidatedIdTokenClaims(result) : undefined;
    const user = [claims?.preferred_username, claims?.email, claims?.sub].find((v): v is string => typeof v === 'string') ?? previous?.user ?? 'signed in';
    const session: OidcSession = {
      accessToken: result.access_token,
      refreshToken: result.refresh_token ?? previous?.refreshToken,
      idToken: result.id_token ?? previous?.idToken,
      expiresAt: Date.now() + 1000 * (result.expires_in ?? expiresIn(result.access_token)),
      user,
    };
    sessionStorage.setItem(SESSION, JSON.stringify(session));
    this.problem = '';
    this.changed();
  }

  private discover(): Promise<oauth.AuthorizationServer> {
    const issuer = new URL(this.config.oidc!.issuer);
    this.server ??= oauth.discoveryRequest(issuer, this.options()).then((res) => oauth.processDiscoveryResponse(issuer, res));
    this.server.catch(() => { this.server = undefined; });
    return this.server;
  }

  /** The resource indicator (RFC 8707) on token requests; plain HTTP only to a provider on this machine. */
  private options(): oauth.TokenEndpointRequestOptions & oauth.DiscoveryRequestOptions {
    const { oidc } = this.config;
    const issuer = new URL(oidc!.issuer);
    const loopback = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    return {
      ...(oidc?.resource ? { additionalParameters: { resource: oidc.resource } } : {}),
      ...(loopback ? { [oauth.allowInsecureRequests]: true } : {}),
    };
  }
}

const redirectUri = () => `${location.origin}/explorer/`;

/** Seconds left of a JWT access token (its `exp`), when the token response gave no `expires_in`. */
function expiresIn(token: string): number {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return payload.exp ? payload.exp - Date.now() / 1000 : 3600;
  } catch {
    return 3600;
  }
}

export const signIn = new SignIn();
