import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../tools/services';

export interface OidcIssuer {
  issuer: string;
  jwksUrl: string;
  /** Everything the provider wrote to stderr (its warnings and errors), for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

export interface OidcIssuerOptions {
  clientId: string;
  redirectUri: string;
  /** The resource indicator (RFC 8707) its access tokens are for: their `aud`. */
  resource: string;
  roles?: string[];
  accessTokenTtlSeconds?: number;
}

/** The issuer's URL before it runs, so that the gateway can be configured to trust it first. */
export async function reserveIssuer(): Promise<{ port: number; issuer: string; jwksUrl: string }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  return { port, issuer, jwksUrl: `${issuer}/jwks` };
}

/** Starts oidc-provider (test/support/oidc-provider-process.mjs) on `port` with one public PKCE client. */
export async function startOidcIssuer(port: number, options: OidcIssuerOptions): Promise<OidcIssuer> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'oidc-provider-process.mjs')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      CLIENT_ID: options.clientId,
      REDIRECT_URI: options.redirectUri,
      RESOURCE: options.resource,
      ROLES: (options.roles ?? ['DataOwner']).join(','),
      ACCESS_TOKEN_TTL: String(options.accessTokenTtlSeconds ?? 300),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const ready = await new Promise<{ issuer: string; jwks: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as { issuer: string; jwks: string });
    });
    child.once('exit', (code) => reject(new Error(`oidc-provider exited (${code}): ${stderr}`)));
    setTimeout(() => reject(new Error(`oidc-provider did not start within 20 s: ${stderr}`)), 20_000).unref();
  });
  return {
    issuer: ready.issuer,
    jwksUrl: ready.jwks,
    log: () => stderr,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
