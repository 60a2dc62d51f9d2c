import { authEnv, mintToken } from '../support/auth';
import { callGateway, type GatewayAnswer } from '../support/gateway';
import { finishedJob, importFile, jobsStorage, writeJobFile } from '../support/jobs';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/**
 * Every gateway route × every kind of caller: the exact status and error code of each pair.
 * Each caller works on its own twins, relationships, models, routes and endpoints (suffix `k`), so
 * an allowed write by one never changes what another sees.
 */

const prefix = uniqueDtmiPrefix();
const models = buildingModels(prefix);
const ROOM = `${prefix}:Room;1`;

interface Route {
  name: string;
  action: string;
  method: string;
  path: (k: string) => string;
  body?: (k: string) => unknown;
  headers?: Record<string, string>;
  /** What an authorised caller gets. */
  ok: number;
}

const room = (extra: Record<string, unknown> = {}) => ({ $metadata: { $model: ROOM }, thermostat: { $metadata: {} }, ...extra });

const ROUTES: Route[] = [
  { name: 'add models', action: 'models/action', method: 'POST', path: () => '/models', body: (k) => [{ '@id': `${prefix}:New${k};1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3' }], ok: 201 },
  { name: 'list models', action: 'models/read', method: 'GET', path: () => '/models', ok: 200 },
  { name: 'get model', action: 'models/read', method: 'GET', path: () => `/models/${ROOM}`, ok: 200 },
  { name: 'decommission model', action: 'models/write', method: 'PATCH', path: (k) => `/models/${prefix}:Extra${k};1`, body: () => [{ op: 'replace', path: '/decommissioned', value: true }], ok: 204 },
  { name: 'delete model', action: 'models/delete', method: 'DELETE', path: (k) => `/models/${prefix}:Extra${k};1`, ok: 204 },
  { name: 'create twin', action: 'digitaltwins/write', method: 'PUT', path: (k) => `/digitaltwins/new-${k}`, body: () => room(), ok: 200 },
  { name: 'get twin', action: 'digitaltwins/read', method: 'GET', path: (k) => `/digitaltwins/seed-${k}`, ok: 200 },
  { name: 'patch twin', action: 'digitaltwins/write', method: 'PATCH', path: (k) => `/digitaltwins/seed-${k}`, body: () => [{ op: 'add', path: '/Temperature', value: 30 }], ok: 204 },
  { name: 'get component', action: 'digitaltwins/read', method: 'GET', path: (k) => `/digitaltwins/seed-${k}/components/thermostat`, ok: 200 },
  { name: 'patch component', action: 'digitaltwins/write', method: 'PATCH', path: (k) => `/digitaltwins/seed-${k}/components/thermostat`, body: () => [{ op: 'add', path: '/setPoint', value: 19 }], ok: 204 },
  { name: 'send telemetry', action: 'digitaltwins/action', method: 'POST', path: (k) => `/digitaltwins/seed-${k}/telemetry`, body: () => ({ any: 1 }), headers: { 'message-id': 'm1' }, ok: 204 },
  { name: 'send component telemetry', action: 'digitaltwins/action', method: 'POST', path: (k) => `/digitaltwins/seed-${k}/components/thermostat/telemetry`, body: () => ({ reading: 1 }), headers: { 'message-id': 'm2' }, ok: 204 },
  { name: 'delete twin', action: 'digitaltwins/delete', method: 'DELETE', path: (k) => `/digitaltwins/gone-${k}`, ok: 204 },
  // Extensions: a cascading delete also needs digitaltwins/relationships/delete (the owner has both, the others neither);
  // a batch needs digitaltwins/write and the action of each of its operations.
  { name: 'delete twin with its relationships', action: 'digitaltwins/delete', method: 'DELETE', path: (k) => `/digitaltwins/linked-${k}?cascade=true`, ok: 204 },
  { name: 'batch', action: 'digitaltwins/write', method: 'POST', path: () => '/batch', body: (k) => ({ operations: [{ op: 'putTwin', twinId: `batch-${k}`, twin: room() }] }), ok: 200 },
  { name: 'list relationships', action: 'digitaltwins/relationships/read', method: 'GET', path: (k) => `/digitaltwins/seed-${k}/relationships`, ok: 200 },
  { name: 'list incoming relationships', action: 'digitaltwins/relationships/read', method: 'GET', path: (k) => `/digitaltwins/peer-${k}/incomingrelationships`, ok: 200 },
  { name: 'get relationship', action: 'digitaltwins/relationships/read', method: 'GET', path: (k) => `/digitaltwins/seed-${k}/relationships/rel-${k}`, ok: 200 },
  { name: 'add relationship', action: 'digitaltwins/relationships/write', method: 'PUT', path: (k) => `/digitaltwins/seed-${k}/relationships/new-rel-${k}`, body: (k) => ({ $targetId: `peer-${k}`, $relationshipName: 'contains' }), ok: 200 },
  { name: 'patch relationship', action: 'digitaltwins/relationships/write', method: 'PATCH', path: (k) => `/digitaltwins/seed-${k}/relationships/rel-${k}`, body: () => [{ op: 'replace', path: '/weight', value: 2 }], ok: 204 },
  { name: 'delete relationship', action: 'digitaltwins/relationships/delete', method: 'DELETE', path: (k) => `/digitaltwins/seed-${k}/relationships/rel-${k}`, ok: 204 },
  { name: 'query', action: 'query/action', method: 'POST', path: () => '/query', body: (k) => ({ query: `SELECT * FROM DIGITALTWINS WHERE $dtId = 'seed-${k}'` }), ok: 200 },
  { name: 'list event routes', action: 'eventroutes/read', method: 'GET', path: () => '/eventroutes', ok: 200 },
  { name: 'get event route', action: 'eventroutes/read', method: 'GET', path: (k) => `/eventroutes/route-${k}`, ok: 200 },
  { name: 'add event route', action: 'eventroutes/write', method: 'PUT', path: (k) => `/eventroutes/new-route-${k}`, body: (k) => ({ endpointName: `ep-${k}`, filter: 'true' }), ok: 204 },
  { name: 'delete event route', action: 'eventroutes/delete', method: 'DELETE', path: (k) => `/eventroutes/route-${k}`, ok: 204 },
  { name: 'list endpoints', action: 'endpoints/read', method: 'GET', path: () => '/endpoints', ok: 200 },
  { name: 'get endpoint', action: 'endpoints/read', method: 'GET', path: (k) => `/endpoints/ep-${k}`, ok: 200 },
  { name: 'put endpoint', action: 'endpoints/write', method: 'PUT', path: (k) => `/endpoints/new-ep-${k}`, body: (k) => ({ endpointType: 'nats', subject: `matrix.${k}` }), ok: 200 },
  { name: 'list dead letters', action: 'endpoints/read', method: 'GET', path: (k) => `/endpoints/ep-${k}/deadletters`, ok: 200 },
  { name: 'replay dead letters', action: 'endpoints/action', method: 'POST', path: (k) => `/endpoints/ep-${k}/deadletters/replay`, ok: 200 },
  { name: 'delete endpoint', action: 'endpoints/delete', method: 'DELETE', path: (k) => `/endpoints/new-ep-${k}`, ok: 204 },
  // History (extension): reads of the past need the read action of what they read; the purge its own.
  { name: 'get twin as of', action: 'digitaltwins/read', method: 'GET', path: (k) => `/digitaltwins/seed-${k}?asOf=${seededAt()}`, ok: 200 },
  { name: 'get relationship as of', action: 'digitaltwins/relationships/read', method: 'GET', path: (k) => `/digitaltwins/seed-${k}/relationships/rel-${k}?asOf=${seededAt()}`, ok: 200 },
  { name: 'list relationships as of', action: 'digitaltwins/relationships/read', method: 'GET', path: (k) => `/digitaltwins/seed-${k}/relationships?asOf=${seededAt()}`, ok: 200 },
  { name: 'twin property history', action: 'digitaltwins/read', method: 'GET', path: (k) => `/digitaltwins/seed-${k}/history`, ok: 200 },
  { name: 'query as of', action: 'query/action', method: 'POST', path: () => '/query', body: (k) => ({ query: `SELECT * FROM DIGITALTWINS WHERE $dtId = 'seed-${k}'`, asOf: new Date(seeded).toISOString() }), ok: 200 },
  { name: 'purge twin history', action: 'digitaltwins/history/delete', method: 'DELETE', path: (k) => `/digitaltwins/gone-${k}/history`, ok: 200 },
  // Connections (extension).
  { name: 'put connection', action: 'connections/write', method: 'PUT', path: (k) => `/connections/new-conn-${k}`, body: () => ({ source: { type: 'http' }, mapping: 'null' }), ok: 200 },
  { name: 'list connections', action: 'connections/read', method: 'GET', path: () => '/connections', ok: 200 },
  { name: 'get connection', action: 'connections/read', method: 'GET', path: (k) => `/connections/conn-${k}`, ok: 200 },
  { name: 'send connection messages', action: 'connections/send', method: 'POST', path: (k) => `/connections/conn-${k}/messages`, body: () => ({ id: 'nobody' }), ok: 202 },
  { name: 'test connection', action: 'connections/action', method: 'POST', path: (k) => `/connections/conn-${k}/test`, body: () => ({ payload: 1 }), ok: 200 },
  { name: 'list connection dead letters', action: 'connections/read', method: 'GET', path: (k) => `/connections/conn-${k}/deadletters`, ok: 200 },
  { name: 'replay connection dead letters', action: 'connections/action', method: 'POST', path: (k) => `/connections/conn-${k}/deadletters/replay`, ok: 200 },
  { name: 'delete connection', action: 'connections/delete', method: 'DELETE', path: (k) => `/connections/new-conn-${k}`, ok: 204 },
  { name: 'live events', action: 'events/read', method: 'GET', path: () => '/events', ok: 200 },
  { name: 'stream ticket', action: 'events/read', method: 'POST', path: () => '/events/tickets', ok: 201 },
  { name: 'audit log', action: 'audit/read', method: 'GET', path: () => '/audit', ok: 200 },
  // Jobs. (A delete job would wipe everything the other routes use: docs/jobs.md and its tests cover it.)
  { name: 'list import jobs', action: 'jobs/read', method: 'GET', path: () => '/jobs/imports', ok: 200 },
  { name: 'get import job', action: 'jobs/read', method: 'GET', path: (k) => `/jobs/imports/seed-job-${k}`, ok: 200 },
  { name: 'import job log', action: 'jobs/read', method: 'GET', path: (k) => `/jobs/imports/seed-job-${k}/output`, ok: 200 },
  { name: 'cancel import job', action: 'jobs/write', method: 'POST', path: (k) => `/jobs/imports/seed-job-${k}/cancel`, ok: 200 },
  { name: 'forget import job', action: 'jobs/delete', method: 'DELETE', path: (k) => `/jobs/imports/gone-job-${k}`, ok: 204 },
  { name: 'create import job', action: 'jobs/write', method: 'PUT', path: (k) => `/jobs/imports/new-job-${k}`, body: () => ({ inputBlobUri: 'file:///empty.ndjson', outputBlobUri: 'file:///empty.out' }), ok: 201 },
  { name: 'list delete jobs', action: 'jobs/read', method: 'GET', path: () => '/jobs/deletions', ok: 200 },
  { name: 'create export job', action: 'jobs/write', method: 'PUT', path: (k) => `/jobs/exports/new-export-${k}`, body: () => ({}), ok: 201 },
  { name: 'list export jobs', action: 'jobs/read', method: 'GET', path: () => '/jobs/exports', ok: 200 },
  { name: 'get export job', action: 'jobs/read', method: 'GET', path: (k) => `/jobs/exports/seed-export-${k}`, ok: 200 },
  // The Explorer's saved queries (extension): each caller's own, for whoever may run queries.
  { name: 'save query', action: 'query/action', method: 'PUT', path: () => '/savedqueries/mine', body: (k) => ({ query: `SELECT * FROM DIGITALTWINS WHERE $dtId = 'seed-${k}'` }), ok: 200 },
  { name: 'list saved queries', action: 'query/action', method: 'GET', path: () => '/savedqueries', ok: 200 },
  { name: 'delete saved query', action: 'query/action', method: 'DELETE', path: () => '/savedqueries/mine', ok: 204 },
];

/** Written out from reference §8 rather than taken from the product's role table. */
const READER = new Set(['digitaltwins/read', 'digitaltwins/relationships/read', 'eventroutes/read', 'models/read', 'query/action', 'endpoints/read', 'events/read']);
const OPERATOR = new Set(['digitaltwins/read', 'digitaltwins/write', 'digitaltwins/action', 'query/action']);
const ALL = new Set(ROUTES.map((r) => r.action));

interface Identity {
  k: string;
  token: () => Promise<string | undefined>;
  /** Actions allowed; undefined: the token is refused (401). */
  allowed?: Set<string>;
}

const IDENTITIES: Identity[] = [
  { k: 'none', token: async () => undefined },
  { k: 'malformed', token: async () => 'not-a-jwt' },
  { k: 'badsig', token: () => mintToken({ secret: 'another-secret-that-is-at-least-32-chars' }) },
  { k: 'expired', token: () => mintToken({ expiresIn: -3600 }) },
  { k: 'wrongaud', token: () => mintToken({ aud: 'https://management.azure.com' }) },
  { k: 'wrongiss', token: () => mintToken({ iss: 'https://evil.example/' }) },
  { k: 'reader', token: () => mintToken({ sub: 'reader-1', roles: ['DataReader'] }), allowed: READER },
  { k: 'operator', token: () => mintToken({ sub: 'operator-1', roles: ['TwinOperator'] }), allowed: OPERATOR },
  { k: 'owner', token: () => mintToken({ sub: 'owner-1', roles: ['DataOwner'] }), allowed: ALL },
];

let system: TestSystem;
const storage = jobsStorage();
let ownerToken: string;
/** A moment after the seeding, for reads as of it. */
let seeded = 0;
const seededAt = () => encodeURIComponent(new Date(seeded).toISOString());
const asOwner = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body, { authorization: `Bearer ${ownerToken}` });

async function call(route: Route, k: string, token: string | undefined): Promise<GatewayAnswer & { wwwAuthenticate: string | null }> {
  const headers: Record<string, string> = { ...route.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  if (route.path(k) === '/events') {
    // A stream: only its status and headers are read.
    const abort = new AbortController();
    const res = await fetch(`${system.gatewayUrl}/events?api-version=2023-10-31`, { headers, signal: abort.signal });
    abort.abort();
    return { status: res.status, code: res.headers.get('x-ms-error-code'), body: undefined, wwwAuthenticate: res.headers.get('www-authenticate') };
  }
  const body = route.body?.(k);
  const path = route.path(k);
  if (path.endsWith('/output')) {
    // NDJSON: only its status and headers are read.
    const res = await fetch(`${system.gatewayUrl}${path}?api-version=2023-10-31`, { headers });
    await res.arrayBuffer();
    return { status: res.status, code: res.headers.get('x-ms-error-code'), body: undefined, wwwAuthenticate: res.headers.get('www-authenticate') };
  }
  const res = await fetch(`${system.gatewayUrl}${path}${path.includes('?') ? '&' : '?'}api-version=2023-10-31`, {
    method: route.method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': route.method === 'PATCH' ? 'application/json-patch+json' : 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, code: res.headers.get('x-ms-error-code'), body: text ? JSON.parse(text) : undefined, wwwAuthenticate: res.headers.get('www-authenticate') };
}

beforeAll(async () => {
  system = await startSystem({ overrides: authEnv({ AUTH_CUSTOM_ROLES: JSON.stringify({ TwinOperator: [...OPERATOR] }), JOBS_STORAGE_DIR: storage.dir, JOBS_POLL_MS: '50' }) });
  ownerToken = await mintToken({ sub: 'seeder', roles: ['DataOwner'] });
  const extras = IDENTITIES.map(({ k }) => ({ '@id': `${prefix}:Extra${k};1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3' }));
  expect((await asOwner('POST', '/models', [...models.all, ...extras])).status).toBe(201);
  for (const { k } of IDENTITIES) {
    for (const id of [`seed-${k}`, `peer-${k}`, `gone-${k}`, `linked-${k}`]) expect((await asOwner('PUT', `/digitaltwins/${id}`, room())).status).toBe(200);
    expect((await asOwner('PUT', `/digitaltwins/linked-${k}/relationships/link-${k}`, { $targetId: `peer-${k}`, $relationshipName: 'contains' })).status).toBe(200);
    expect((await asOwner('PUT', `/digitaltwins/seed-${k}/relationships/rel-${k}`, { $targetId: `peer-${k}`, $relationshipName: 'feeds', weight: 1 })).status).toBe(200);
    expect((await asOwner('PUT', `/endpoints/ep-${k}`, { endpointType: 'nats', subject: `matrix.ep.${k}` })).status).toBe(200);
    expect((await asOwner('PUT', `/connections/conn-${k}`, { source: { type: 'http' }, mapping: 'null' })).status).toBe(200);
    expect((await asOwner('PUT', `/eventroutes/route-${k}`, { endpointName: `ep-${k}`, filter: 'false' })).status).toBe(204);
  }
  writeJobFile(storage.dir, 'empty.ndjson', importFile({}));
  for (const { k } of IDENTITIES) {
    // Import jobs one at a time (ADT's rule), each finished before the next.
    for (const id of [`seed-job-${k}`, `gone-job-${k}`]) {
      expect((await asOwner('PUT', `/jobs/imports/${id}`, { inputBlobUri: 'file:///empty.ndjson', outputBlobUri: 'file:///empty.out' })).status).toBe(201);
      expect((await finishedJob(system.gatewayUrl, `/jobs/imports/${id}`, 30_000, { authorization: `Bearer ${ownerToken}` })).status).toBe('succeeded');
    }
    expect((await asOwner('PUT', `/jobs/exports/seed-export-${k}`, {})).status).toBe(201);
  }
  seeded = Date.now();
  // History complete past the seeding (its watermark follows the writes within a second).
  await new Promise((r) => setTimeout(r, 1500));
}, 120_000);

afterAll(async () => {
  await system?.stop();
  storage.remove();
});

describe('the authorisation matrix: every route × every caller', () => {
  for (const identity of IDENTITIES) {
    it(`${identity.k}: exact status and error code on every route`, async () => {
      const token = await identity.token();
      const got: string[] = [];
      const want: string[] = [];
      for (const route of ROUTES) {
        const answer = await call(route, identity.k, token);
        got.push(`${route.name}: ${answer.status} ${answer.code ?? ''}`);
        if (!identity.allowed) {
          want.push(`${route.name}: 401 Unauthorized`);
          expect(answer.wwwAuthenticate).toMatch(/^Bearer/);
        } else if (identity.allowed.has(route.action)) {
          want.push(`${route.name}: ${route.ok} `);
        } else {
          want.push(`${route.name}: 403 Forbidden`);
        }
      }
      expect(got).toEqual(want);
    });
  }

  it('answers probes and the reference pages without a token', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/', '/openapi.json', '/docs/api', '/explorer/config.json']) {
      expect([path, (await fetch(`${system.gatewayUrl}${path}`)).status]).toEqual([path, 200]);
    }
  });

  it('answers an unknown path 404, with or without a token', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-jwt' }] as Record<string, string>[]) {
      const res = await fetch(`${system.gatewayUrl}/nothing/here?api-version=2023-10-31`, { headers });
      expect([res.status, res.headers.get('x-ms-error-code')]).toEqual([404, 'RouteNotFound']);
    }
  });

  it('leaves nothing changed by refused writes', async () => {
    for (const k of ['none', 'badsig', 'expired', 'reader']) {
      expect((await asOwner('GET', `/digitaltwins/new-${k}`)).code).toBe('DigitalTwinNotFound');
      expect((await asOwner('GET', `/digitaltwins/gone-${k}`)).status).toBe(200);
      expect((await asOwner('GET', `/digitaltwins/linked-${k}/relationships/link-${k}`)).status).toBe(200);
      expect((await asOwner('GET', `/digitaltwins/batch-${k}`)).status).toBe(404);
      expect((await asOwner('GET', `/digitaltwins/seed-${k}`)).body.Temperature).toBeUndefined();
      expect((await asOwner('GET', `/digitaltwins/seed-${k}/relationships/rel-${k}`)).body.weight).toBe(1);
      expect((await asOwner('GET', `/digitaltwins/seed-${k}/relationships/new-rel-${k}`)).status).toBe(404);
      expect((await asOwner('GET', `/models/${prefix}:New${k};1`)).code).toBe('ModelNotFound');
      expect((await asOwner('GET', `/models/${prefix}:Extra${k};1`)).body.decommissioned).toBe(false);
      expect((await asOwner('GET', `/eventroutes/route-${k}`)).status).toBe(200);
      expect((await asOwner('GET', `/eventroutes/new-route-${k}`)).status).toBe(404);
    }
    // The operator's writes to twins happened; its model writes did not.
    expect((await asOwner('GET', '/digitaltwins/seed-operator')).body.Temperature).toBe(30);
    expect((await asOwner('GET', `/models/${prefix}:Newoperator;1`)).code).toBe('ModelNotFound');
  });

  it('tells why a token is refused', async () => {
    const expired = await call(ROUTES[1], 'x', await mintToken({ expiresIn: -3600 }));
    expect(expired.body.error.message).toMatch(/expired/);
    expect(expired.wwwAuthenticate).toMatch(/error="invalid_token"/);
    const audience = await call(ROUTES[1], 'x', await mintToken({ aud: 'https://other' }));
    expect(audience.body.error.message).toMatch(/audience/);
    const missing = await call(ROUTES[1], 'x', undefined);
    expect(missing.wwwAuthenticate).toBe('Bearer');
  });

  it('accepts a token within the clock skew, and refuses one not yet valid', async () => {
    expect((await call(ROUTES[1], 'x', await mintToken({ expiresIn: -30 }))).status).toBe(200);
    const early = await call(ROUTES[1], 'x', await mintToken({ notBefore: 600 }));
    expect([early.status, early.code]).toEqual([401, 'Unauthorized']);
  });
});
