import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { loadGatewayConfig } from '../../apps/gateway/src/config';
import { startGateway } from '../../apps/gateway/src/main';
import { loadModelsConfig } from '../../apps/models-service/src/config';
import { startModelsService } from '../../apps/models-service/src/main';
import { loadTwinsConfig } from '../../apps/twins-service/src/config';
import { startTwinsService } from '../../apps/twins-service/src/main';
import { ensureDevTls } from '../../tools/dev-tls';
import { freePort, ROOT, spawnService, waitForReady } from '../../tools/services';
import { authEnv, mintToken } from '../support/auth';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { migrate, newIsolation, PG_ADMIN_URL, startSystem, type TestSystem } from '../support/system';
import { NATS_SERVER_BIN } from '../support/processes';

/** Secure by default: loopback without auth, HTTPS, CORS, dev tokens, NATS credentials. */

const tmp = mkdtempSync(path.join(os.tmpdir(), 'odt-security-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('without authentication', () => {
  it('refuses to listen on anything but loopback', async () => {
    const iso = newIsolation();
    const config = loadGatewayConfig({ ...iso.env, HOST: '0.0.0.0' });
    await expect(startGateway(config, false)).rejects.toThrow(/Refusing to listen on 0\.0\.0\.0 without authentication/);
  });

  it('starts on loopback and warns on every start', async () => {
    const iso = newIsolation();
    const port = await freePort();
    const child = spawnService('gateway', { ...iso.env, PORT: String(port), LOG_LEVEL: 'warn' }, 'pipe');
    let out = '';
    child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
    try {
      await waitForReady(port);
      const warning = out.split('\n').find((line) => line.includes('authentication is OFF'));
      expect(JSON.parse(warning as string)).toMatchObject({ level: 'warn', host: '127.0.0.1' });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('starts on 0.0.0.0 once authentication is configured', async () => {
    const iso = newIsolation();
    const app = await startGateway(loadGatewayConfig({ ...iso.env, ...authEnv(), HOST: '0.0.0.0' }), false);
    try {
      const port = new URL(await app.getUrl()).port;
      expect((await fetch(`http://127.0.0.1:${port}/digitaltwins/x?api-version=2023-10-31`)).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('npm run token', () => {
  it('mints development tokens that a gateway started with AUTH_JWT_SECRET_FILE accepts, with their role', async () => {
    const secretFile = path.join(tmp, 'dev-secret');
    const token = (role: string) => execFileSync(process.execPath, ['-r', '@swc-node/register', 'tools/token.ts', '--role', role, '--secret-file', secretFile], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, AUTH_JWT_SECRET: '' } }).trim();
    const reader = token('DataReader');
    const owner = token('DataOwner');
    const iso = newIsolation();
    const app = await startGateway(loadGatewayConfig({ ...iso.env, AUTH_JWT_SECRET_FILE: secretFile }), false);
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      expect((await callGateway(url, 'GET', '/eventroutes', undefined, { authorization: `Bearer ${reader}` })).status).not.toBe(401);
      expect((await callGateway(url, 'PUT', '/eventroutes/r', { endpointName: 'e', filter: 'true' }, { authorization: `Bearer ${reader}` })).code).toBe('Forbidden');
      expect((await callGateway(url, 'PUT', '/eventroutes/r', { endpointName: 'e', filter: 'true' }, { authorization: `Bearer ${owner}` })).code).not.toBe('Forbidden');
    } finally {
      await app.close();
    }
  });
});

/** The development CA is trusted by this client only. */
function httpsCall(url: string, ca: Buffer, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTPS and CORS', () => {
  let system: TestSystem;
  let base: string;
  let ca: Buffer;

  beforeAll(async () => {
    // Production's setting: TLS files and no HTTPS_PORT, so PORT itself serves HTTPS only.
    // (The official SDK over HTTPS is test/e2e/sdk-quickstart.e2e-spec.ts.)
    const tls = await ensureDevTls(path.join(tmp, 'tls'));
    system = await startSystem({ overrides: authEnv({ TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile, CORS_ORIGINS: 'https://explorer.example' }) });
    ca = readFileSync(tls.caFile);
    base = system.gatewayUrl.replace(/^http:/, 'https:');
    const models = buildingModels(uniqueDtmiPrefix());
    const owner = { authorization: `Bearer ${await mintToken()}`, 'content-type': 'application/json' };
    expect((await httpsCall(`${base}/models?api-version=2023-10-31`, ca, 'POST', owner, JSON.stringify(models.all))).status).toBe(201);
    const twin = JSON.stringify({ $metadata: { $model: models.room['@id'] }, thermostat: { $metadata: {} } });
    expect((await httpsCall(`${base}/digitaltwins/tls-room?api-version=2023-10-31`, ca, 'PUT', owner, twin)).status).toBe(200);
  }, 60_000);

  afterAll(() => system?.stop());

  it('serves HTTPS only on PORT when the TLS files are set without HTTPS_PORT', async () => {
    await expect(fetch(system.gatewayUrl.replace(/^https:/, 'http:'))).rejects.toThrow();
    const reader = { authorization: `Bearer ${await mintToken({ roles: ['DataReader'] })}` };
    expect((await httpsCall(`${base}/digitaltwins/tls-room?api-version=2023-10-31`, ca, 'GET', reader)).status).toBe(200);
    expect((await httpsCall(`${base}/digitaltwins/tls-room?api-version=2023-10-31`, ca, 'DELETE', reader)).status).toBe(403);
  });

  it('answers CORS preflights for the configured origin only', async () => {
    const url = `${base}/digitaltwins/tls-room?api-version=2023-10-31`;
    const preflight = (origin: string) => httpsCall(url, ca, 'OPTIONS', { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type' });
    const allowed = await preflight('https://explorer.example');
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://explorer.example');
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
    const get = await httpsCall(url, ca, 'GET', { origin: 'https://explorer.example', authorization: `Bearer ${await mintToken()}` });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-expose-headers']).toMatch(/etag/);
  });
});

describe('NATS with credentials', () => {
  let nats: ChildProcess;
  let url: string;
  const apps: INestApplication[] = [];
  const iso = newIsolation();

  beforeAll(async () => {
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    nats = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', path.join(tmp, 'nats'), '--user', 'odt', '--pass', 'n4ts-s3cret'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const nc = await connect({ servers: url, user: 'odt', pass: 'n4ts-s3cret' }).catch(() => null);
      if (nc) { await nc.close(); break; }
      if (Date.now() > deadline) throw new Error('private NATS did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await migrate(iso);
  }, 30_000);

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    nats?.kill('SIGKILL');
    const admin = new Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "odt_test_${iso.id}" WITH (FORCE)`);
    await admin.end();
  });

  it('the server refuses a client without credentials', async () => {
    await expect(connect({ servers: url, reconnect: false })).rejects.toThrow(/Authorization/i);
  });

  it('runs the services with NATS_USER and NATS_PASSWORD', async () => {
    const env = { ...iso.env, NATS_URL: url, NATS_USER: 'odt', NATS_PASSWORD: 'n4ts-s3cret' };
    apps.push(await startModelsService(loadModelsConfig(env), false));
    apps.push(await startTwinsService(loadTwinsConfig(env), false));
    const gateway = await startGateway(loadGatewayConfig(env), false);
    apps.push(gateway);
    const gatewayUrl = (await gateway.getUrl()).replace('[::1]', '127.0.0.1');
    const models = buildingModels(uniqueDtmiPrefix());
    expect((await callGateway(gatewayUrl, 'POST', '/models', models.all)).status).toBe(201);
    expect((await callGateway(gatewayUrl, 'PUT', '/digitaltwins/over-auth-nats', { $metadata: { $model: models.room['@id'] }, thermostat: { $metadata: {} } })).status).toBe(200);
    expect((await callGateway(gatewayUrl, 'GET', '/digitaltwins/over-auth-nats')).body.$dtId).toBe('over-auth-nats');
  });
});

describe('an OIDC identity provider (discovery and JWKS, RS256, rotated keys)', () => {
  let idp: http.Server;
  let issuer: string;
  const keys: { kid: string; privateKey: KeyLike; jwk: JWK }[] = [];
  let gatewayUrl: string;
  let gateway: INestApplication;

  async function addKey(kid: string): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    keys.push({ kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } });
  }

  /** An Entra ID-like token: the principal in `oid`, roles in `roles`. */
  const sign = (kid: string, claims: Record<string, unknown>) => new SignJWT({ roles: ['DataReader'], ...claims })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(issuer)
    .setAudience('https://digitaltwins.azure.net')
    .setExpirationTime('5m')
    .sign(keys.find((k) => k.kid === kid)?.privateKey as KeyLike);

  beforeAll(async () => {
    await addKey('k1');
    idp = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
      else if (req.url === '/keys') res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as net.AddressInfo).port}`;
    gateway = await startGateway(loadGatewayConfig({ ...newIsolation().env, AUTH_OIDC_ISSUER: issuer }), false);
    gatewayUrl = (await gateway.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await gateway?.close();
    idp?.close();
  });

  it('accepts the provider\'s tokens, refuses self-made ones, and follows a key rotation', async () => {
    const read = (token: string) => callGateway(gatewayUrl, 'PUT', '/eventroutes/r', { endpointName: 'e', filter: 'true' }, { authorization: `Bearer ${token}` });
    // A reader's write: authenticated (so 403, not 401).
    expect((await read(await sign('k1', { oid: 'entra-object-id' }))).code).toBe('Forbidden');
    // Signed by a key the provider never published.
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ roles: ['DataOwner'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('https://digitaltwins.azure.net').setSubject('x').setExpirationTime('5m').sign(privateKey);
    expect((await read(forged)).code).toBe('Unauthorized');
    // An HS256 token with the public key as secret (algorithm confusion) is refused.
    expect((await read(await mintToken({ iss: issuer }))).code).toBe('Unauthorized');
    // The provider rotates to k2; after the refetch cool-down the new key is found.
    await addKey('k2');
    await new Promise((r) => setTimeout(r, 5_100));
    expect((await read(await sign('k2', { sub: 'rotated-user' }))).code).toBe('Forbidden');
  }, 30_000);
});
