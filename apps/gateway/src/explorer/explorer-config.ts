import { authModeOf } from '../auth/token-verifier';
import { explorerIssuerOf, type GatewayConfig } from '../config';

/** What the Explorer is told at `GET /explorer/config.json`: how to sign in. Public: it holds no secret. */
export interface ExplorerConfig {
  /** `none`: authentication off (loopback); `token`: a pasted bearer token; `oidc`: authorization code + PKCE, or a pasted token. */
  auth: 'none' | 'token' | 'oidc';
  oidc?: { issuer: string; clientId: string; scopes: string; resource?: string };
}

export function explorerConfigOf(config: GatewayConfig): ExplorerConfig {
  if (authModeOf(config) === 'none') return { auth: 'none' };
  const issuer = explorerIssuerOf(config);
  if (!config.EXPLORER_OIDC_CLIENT_ID || !issuer) return { auth: 'token' };
  return {
    auth: 'oidc',
    oidc: {
      issuer,
      clientId: config.EXPLORER_OIDC_CLIENT_ID,
      scopes: config.EXPLORER_OIDC_SCOPES,
      ...(config.EXPLORER_OIDC_RESOURCE ? { resource: config.EXPLORER_OIDC_RESOURCE } : {}),
    },
  };
}

/**
 * The Explorer's scripts, workers (ForceAtlas2 runs from a blob: worker) and styles are its own;
 * CodeMirror and React set inline styles; it talks to this gateway, and to the identity provider
 * it signs in with (discovery and the token endpoint, called from the page).
 */
export function explorerCsp(explorer: ExplorerConfig): string {
  const connect = ["'self'", ...(explorer.oidc ? [new URL(explorer.oidc.issuer).origin] : [])].join(' ');
  return `default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src ${connect}; object-src 'none'; base-uri 'self'; frame-ancestors 'none'`;
}
