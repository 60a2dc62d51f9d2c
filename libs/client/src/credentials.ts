/** Where a client gets its bearer token; called before every request, so it should cache. */
export interface TokenCredential {
  getToken(): Promise<string | undefined>;
}

/** A fixed token (or none: a gateway without authentication). */
export function staticToken(token: string | undefined): TokenCredential {
  return { getToken: async () => token };
}

/** Seconds-since-epoch expiry of a JWT, read without verifying it (the server verifies). */
export function jwtExpiry(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Caches what `fetchToken` returns until shortly before it expires (its `expiresAt`, else the
 * JWT's `exp`, else `fallbackTtlMs`). Concurrent callers share one fetch.
 */
export function cachedCredential(
  fetchToken: () => Promise<{ token: string; expiresAt?: number }>,
  fallbackTtlMs = 5 * 60_000,
): TokenCredential {
  let cached: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;
  return {
    async getToken() {
      if (cached && Date.now() < cached.refreshAt) return cached.token;
      pending ??= fetchToken()
        .then(({ token, expiresAt }) => {
          const exp = expiresAt ?? (jwtExpiry(token) ?? 0) * 1000;
          const refreshAt = exp > 0 ? exp - Math.min(60_000, (exp - Date.now()) / 2) : Date.now() + fallbackTtlMs;
          cached = { token, refreshAt };
          return token;
        })
        .finally(() => { pending = undefined; });
      return pending;
    },
  };
}

export interface ClientCredentialsOptions {
  /** The OIDC issuer (its discovery document names the token endpoint) ... */
  issuer?: string;
  /** ... or the token endpoint itself. */
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  /** Entra ID: `https://digitaltwins.azure.net/.default`; Keycloak/Auth0: what the API is registered with. */
  scope?: string;
  /** Auth0 and some others want the API's audience as a parameter. */
  audience?: string;
  fetch?: typeof fetch;
}

/** OAuth 2.0 client credentials grant (a service principal / machine client). */
export function clientCredentials(options: ClientCredentialsOptions): TokenCredential {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let tokenUrl: Promise<string> | undefined;
  const endpoint = (): Promise<string> => {
    if (options.tokenUrl) return Promise.resolve(options.tokenUrl);
    if (!options.issuer) throw new Error('clientCredentials needs an issuer or a tokenUrl.');
    tokenUrl ??= (async () => {
      const url = `${options.issuer!.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const res = await doFetch(url);
      if (!res.ok) throw new Error(`OIDC discovery at ${url} answered ${res.status}`);
      const doc = (await res.json()) as { token_endpoint?: string };
      if (!doc.token_endpoint) throw new Error(`OIDC discovery at ${url} names no token_endpoint`);
      return doc.token_endpoint;
    })().catch((err: unknown) => { tokenUrl = undefined; throw err; });
    return tokenUrl;
  };
  return cachedCredential(async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret });
    if (options.scope) form.set('scope', options.scope);
    if (options.audience) form.set('audience', options.audience);
    const url = await endpoint();
    const res = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() });
    const text = await res.text();
    if (!res.ok) throw new Error(`The token endpoint ${url} refused the client credentials (${res.status}): ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new Error(`The token endpoint ${url} sent no access_token.`);
    return { token: body.access_token, ...(body.expires_in ? { expiresAt: Date.now() + body.expires_in * 1000 } : {}) };
  });
}
