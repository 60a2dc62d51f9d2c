import path from 'node:path';
import type { DevTls } from './dev-tls';

/**
 * What `npm start` prints once everything is ready (issue 18, item 6: wired in by tools/start.ts),
 * and the gateway settings that give it its HTTPS listener with the development certificate.
 */

/** The gateway's environment for HTTPS beside HTTP with the certificate of `ensureDevTls`. */
export function devHttpsEnv(tls: DevTls, httpsPort = 8443): Record<string, string> {
  return { HTTPS_PORT: String(httpsPort), TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile };
}

/** How a client trusts the development CA; `caFile` relative to the working directory when it lies under it. */
export function trustLine(caFile: string, cwd = process.cwd()): string {
  const shown = path.relative(cwd, caFile).startsWith('..') ? caFile : path.relative(cwd, caFile);
  return `NODE_EXTRA_CA_CERTS=${shown} (Node, the JavaScript SDK), curl --cacert ${shown}; others: docs/sdk.md`;
}

export interface StartSummary {
  /** `http://127.0.0.1:8080` */
  httpUrl: string;
  /** `https://127.0.0.1:8443`, when the HTTPS listener runs. */
  httpsUrl?: string;
  /** The development CA clients must trust for `httpsUrl`. */
  caFile?: string;
  /** Whether the gateway serves the Explorer (`/explorer/`). */
  explorer?: boolean;
  /** `none`: no AUTH_* setting; `dev-secret`: AUTH_JWT_SECRET_FILE (as `npm run token` writes it); `provider`: any other key source. */
  auth: 'none' | 'dev-secret' | 'provider';
}

/** The final lines of `npm start`: the URLs, how to trust HTTPS, and how to get a token. */
export function startupSummary(s: StartSummary, cwd = process.cwd()): string[] {
  const rows: [string, string][] = [
    ['API', [s.httpUrl, s.httpsUrl].filter(Boolean).join('  ')],
    ['API reference', `${s.httpUrl}/docs/api  (OpenAPI 3.1: ${s.httpUrl}/openapi.json)`],
  ];
  if (s.explorer) rows.push(['Explorer', `${s.httpUrl}/explorer/`]);
  if (s.httpsUrl && s.caFile) rows.push(['Trust HTTPS', trustLine(s.caFile, cwd)]);
  rows.push(['Tokens', s.auth === 'none'
    ? 'not needed: authentication is off (loopback only); to turn it on: docs/security.md'
    : s.auth === 'dev-secret'
      ? 'npm run token -- --role DataOwner, then send Authorization: Bearer <token>'
      : 'from your identity provider (docs/security.md)']);
  const width = Math.max(...rows.map(([label]) => label.length));
  return ['Open Digital Twins is ready.', ...rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`)];
}
