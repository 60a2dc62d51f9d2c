import net from 'node:net';
import { Client } from 'pg';
import { authEnv, mintToken } from '../support/auth';
import { callGateway, type GatewayAnswer } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** What an attacker tries: injection, traversal, huge and deep bodies, slow clients, floods. */

const prefix = uniqueDtmiPrefix();
const models = buildingModels(prefix);
const ROOM = `${prefix}:Room;1`;
const PER_CALLER = 200;

let system: TestSystem;
let owner: string;
const as = (token: string, method: string, route: string, body?: unknown): Promise<GatewayAnswer> =>
  callGateway(system.gatewayUrl, method, route, body, { authorization: `Bearer ${token}` });

async function twinCount(): Promise<number> {
  const db = new Client({ connectionString: system.iso.databaseUrl });
  await db.connect();
  try {
    return Number((await db.query('SELECT count(*) FROM twins.twins')).rows[0].count);
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  system = await startSystem({
    overrides: authEnv({ RATE_LIMIT_PER_CALLER: String(PER_CALLER), RATE_LIMIT_GLOBAL: '0', REQUEST_TIMEOUT_MS: '2000' }),
  });
  owner = await mintToken({ sub: 'attack-owner' });
  expect((await as(owner, 'POST', '/models', models.all)).status).toBe(201);
  expect((await as(owner, 'PUT', '/digitaltwins/victim', { $metadata: { $model: ROOM }, thermostat: { $metadata: {} } })).status).toBe(200);
}, 60_000);

afterAll(() => system?.stop());

describe('SQL injection', () => {
  it('stores an id full of SQL as a plain id, and the tables survive', async () => {
    const id = "x';DROP(TABLE)twins.twins;--";
    const put = await as(owner, 'PUT', `/digitaltwins/${encodeURIComponent(id)}`, { $metadata: { $model: ROOM }, thermostat: { $metadata: {} } });
    expect(put.status).toBe(200);
    expect(put.body.$dtId).toBe(id);
    expect((await as(owner, 'GET', `/digitaltwins/${encodeURIComponent(id)}`)).body.$dtId).toBe(id);
    expect((await as(owner, 'GET', '/digitaltwins/victim')).status).toBe(200);
  });

  it('keeps query text inside parameters', async () => {
    const before = await twinCount();
    for (const query of [
      "SELECT * FROM DIGITALTWINS WHERE $dtId = 'a' OR 1=1 --'",
      "SELECT * FROM DIGITALTWINS WHERE $dtId = 'a\\' OR \\'1\\'=\\'1'",
      "SELECT * FROM DIGITALTWINS; DROP TABLE twins.twins",
      "SELECT * FROM DIGITALTWINS WHERE name = 'x'')); DELETE FROM twins.twins; --'",
      'SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL(\'dtmi:x;1\'); SELECT pg_sleep(10)',
    ]) {
      const answer = await as(owner, 'POST', '/query', { query });
      expect([200, 400]).toContain(answer.status);
      if (answer.status === 200) expect(answer.body.value).toEqual([]);
      else expect(answer.code).toBe('SqlQueryError');
    }
    expect(await twinCount()).toBe(before);
  });

  it('refuses forged and modified continuation tokens', async () => {
    for (let i = 0; i < 3; i++) await as(owner, 'PUT', `/digitaltwins/page-${i}`, { $metadata: { $model: ROOM }, thermostat: { $metadata: {} } });
    const first = await callGateway(system.gatewayUrl, 'POST', '/query', { query: 'SELECT * FROM DIGITALTWINS' }, { authorization: `Bearer ${owner}`, 'max-items-per-page': '1' });
    const token: string = first.body.continuationToken;
    expect(typeof token).toBe('string');
    for (const forged of [`${token.slice(0, -2)}AA`, "'; DROP TABLE twins.twins; --", Buffer.from('{"k":"x\' OR 1=1"}').toString('base64url'), 'A'.repeat(10_000)]) {
      const answer = await as(owner, 'POST', '/query', { continuationToken: forged });
      expect([answer.status, answer.code]).toEqual([400, 'BadRequest']);
    }
  });
});

describe('path traversal and encoded separators in ids', () => {
  it('never reaches another resource nor creates a twin through ../ or %2F', async () => {
    const before = await twinCount();
    for (const path of ['/digitaltwins/..%2F..%2Fmodels', '/digitaltwins/%2e%2e', '/digitaltwins/a%2Fb', '/digitaltwins/%2E%2E%2Fvictim', '/digitaltwins/victim%00', '/digitaltwins/..']) {
      const put = await as(owner, 'PUT', path, { $metadata: { $model: ROOM }, thermostat: { $metadata: {} } });
      expect(put.status).toBeGreaterThanOrEqual(400);
      expect(put.status).toBeLessThan(500);
      expect(put.body?.error?.code).toBeDefined();
      const del = await as(owner, 'DELETE', path);
      expect(del.status).toBeGreaterThanOrEqual(400);
      expect(del.status).toBeLessThan(500);
    }
    expect(await twinCount()).toBe(before);
    expect((await as(owner, 'GET', '/digitaltwins/victim')).status).toBe(200);
  });
});

describe('bodies', () => {
  it('refuses 1,000-deep JSON with InvalidArgument', async () => {
    const deep = `${'['.repeat(1000)}${']'.repeat(1000)}`;
    for (const [method, path, type] of [['POST', '/models', 'application/json'], ['PATCH', '/digitaltwins/victim', 'application/json-patch+json'], ['PUT', '/digitaltwins/deep', 'application/json']]) {
      const res = await fetch(`${system.gatewayUrl}${path}?api-version=2023-10-31`, { method, headers: { authorization: `Bearer ${owner}`, 'content-type': type }, body: deep });
      expect([res.status, res.headers.get('x-ms-error-code')]).toEqual([400, 'InvalidArgument']);
    }
    expect((await as(owner, 'GET', '/digitaltwins/deep')).status).toBe(404);
  });

  it('refuses a 10 MB body with 413 before reading it all', async () => {
    const big = JSON.stringify([{ '@id': 'dtmi:x:y;1', padding: 'x'.repeat(10 * 1024 * 1024) }]);
    for (const path of ['/models', '/digitaltwins/huge']) {
      const res = await fetch(`${system.gatewayUrl}${path}?api-version=2023-10-31`, { method: path === '/models' ? 'POST' : 'PUT', headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' }, body: big });
      expect(res.status).toBe(413);
      expect(res.headers.get('x-ms-error-code')).toBeTruthy();
    }
  });

  it('refuses oversized headers and URLs without a 500', async () => {
    const headers = await fetch(`${system.gatewayUrl}/digitaltwins/victim?api-version=2023-10-31`, { headers: { authorization: `Bearer ${owner}`, 'x-junk': 'x'.repeat(64 * 1024) } });
    expect(headers.status).toBe(431);
    const url = await as(owner, 'GET', `/digitaltwins/victim?pad=${'x'.repeat(10_000)}`);
    expect([url.status, url.code]).toEqual([400, 'InvalidArgument']);
  });
});

describe('slow clients', () => {
  it('cuts off slowloris connections while serving everyone else', async () => {
    const { hostname, port } = new URL(system.gatewayUrl);
    const sockets = Array.from({ length: 20 }, () => net.connect(Number(port), hostname));
    const closed = sockets.map((socket) => new Promise<number>((resolve) => {
      const opened = Date.now();
      socket.on('close', () => resolve(Date.now() - opened));
      socket.on('error', () => undefined);
    }));
    // Headers, then a body that trickles one byte a second and never completes.
    for (const socket of sockets) socket.write(`PUT /digitaltwins/slow?api-version=2023-10-31 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    const drip = setInterval(() => sockets.forEach((s) => s.writable && s.write(' ')), 1000);
    try {
      const started = Date.now();
      expect((await as(owner, 'GET', '/digitaltwins/victim')).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
      const lifetimes = await Promise.all(closed);
      // REQUEST_TIMEOUT_MS is 2 s, checked every second.
      expect(Math.max(...lifetimes)).toBeLessThan(6000);
    } finally {
      clearInterval(drip);
      sockets.forEach((s) => s.destroy());
    }
    expect((await as(owner, 'GET', '/digitaltwins/slow')).status).toBe(404);
  });
});

describe('rate limits', () => {
  it('answers a flood from one caller (up to 10,000 requests, 64 at a time, for at most 8 s) with 429 and Retry-After while another caller is served', async () => {
    const flooder = await mintToken({ sub: 'flooder' });
    const other = await mintToken({ sub: 'bystander', roles: ['DataReader'] });
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    let sent = 0;
    const deadline = Date.now() + 8000;
    const flooding = () => sent < 10_000 && Date.now() < deadline;
    const flood = async () => {
      while (flooding()) {
        sent++;
        const res = await fetch(`${system.gatewayUrl}/digitaltwins/victim?api-version=2023-10-31`, { headers: { authorization: `Bearer ${flooder}` } });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
    };
    const bystander: number[] = [];
    const polite = async () => {
      while (flooding()) {
        bystander.push((await as(other, 'GET', '/digitaltwins/victim')).status);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await Promise.all([...Array.from({ length: 64 }, flood), polite()]);
    // Whatever rate this machine reaches, everything past PER_CALLER in a second is refused.
    expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(200) ?? 0).toBeLessThanOrEqual(PER_CALLER * 10);
    expect(retryAfter).toBe('1');
    expect([...statuses.keys()].every((s) => s === 200 || s === 429)).toBe(true);
    expect(bystander.length).toBeGreaterThan(0);
    expect(bystander.every((s) => s === 200)).toBe(true);
  }, 60_000);
});
