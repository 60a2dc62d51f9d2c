import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, ConnectionError, DigitalTwinsApi, clientCredentials, staticToken } from '@odt/client';
import { tokenCommand } from '@odt/client/node';
import { authEnv, mintToken, TEST_AUTH } from '../support/auth';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** `@odt/client` against the running system: paging, ETags, errors, retries, the event stream, and its credentials. */
describe('@odt/client', () => {
  let system: TestSystem;
  let api: DigitalTwinsApi;
  let m: ReturnType<typeof buildingModels>;
  const room = (extra: Record<string, unknown> = {}) => ({ $metadata: { $model: m.room['@id'] }, Temperature: 21, thermostat: { $metadata: {} }, ...extra });

  beforeAll(async () => {
    system = await startSystem({ without: ['router'] });
    api = new DigitalTwinsApi({ endpoint: system.gatewayUrl });
    m = buildingModels(uniqueDtmiPrefix());
  });
  afterAll(() => system?.stop());

  it('uploads models and lists them page by page, following nextLink', async () => {
    const created = await api.models.create(m.all);
    expect(created.map((d) => d.id).sort()).toEqual(m.all.map((d) => d['@id']).sort());
    const pages = [];
    for await (const page of api.models.list({ maxItemsPerPage: 1 }).byPage()) pages.push(page);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    const ids = pages.flatMap((p) => p.value.map((d) => d.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(m.all.map((d) => d['@id'])));
    const withDefinition = await api.models.get(m.room['@id'], { includeModelDefinition: true });
    expect(withDefinition.model).toMatchObject({ '@id': m.room['@id'] });
  });

  it('writes a twin only if it is unchanged since it was read (If-Match from the twin)', async () => {
    const twin = await api.twins.upsert('c-room-1', room());
    const { etag } = await api.twins.update('c-room-1', [{ op: 'replace', path: '/Temperature', value: 22 }], { ifMatch: twin });
    expect(etag).not.toBe(twin.$etag);
    const stale = await api.twins.update('c-room-1', [{ op: 'replace', path: '/Temperature', value: 23 }], { ifMatch: twin }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ApiError);
    expect(stale).toMatchObject({ status: 412, code: 'PreconditionFailed' });
    expect((await api.twins.get('c-room-1')).Temperature).toBe(22);
  });

  it('answers a missing twin with ADT\'s code, and an unreachable server with a ConnectionError', async () => {
    await expect(api.twins.get('no-such-twin')).rejects.toMatchObject({ status: 404, code: 'DigitalTwinNotFound' });
    const nowhere = new DigitalTwinsApi({ endpoint: 'http://127.0.0.1:1' });
    await expect(nowhere.twins.get('x')).rejects.toBeInstanceOf(ConnectionError);
  });

  it('streams a query over pages with each page\'s charge, and relationships both ways', async () => {
    for (let i = 0; i < 7; i++) await api.twins.upsert(`c-q-${i}`, room({ capacity: i }));
    for (let i = 1; i < 7; i++) await api.relationships.upsert('c-q-0', `r${i}`, { $targetId: `c-q-${i}`, $relationshipName: 'contains' });
    const pages = [];
    for await (const page of api.query("SELECT T.$dtId FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 'c-q-')", { maxItemsPerPage: 3 }).byPage()) pages.push(page);
    expect(pages.map((p) => p.value.length)).toEqual([3, 3, 1]);
    expect(pages.every((p) => typeof p.charge === 'number')).toBe(true);
    const out = await api.relationships.list('c-q-0', { maxItemsPerPage: 2 }).toArray();
    expect(out.map((r) => r.$targetId).sort()).toEqual(['c-q-1', 'c-q-2', 'c-q-3', 'c-q-4', 'c-q-5', 'c-q-6']);
    const incoming = await api.relationships.listIncoming('c-q-3').toArray();
    expect(incoming).toEqual([expect.objectContaining({ $sourceId: 'c-q-0', $relationshipId: 'r3' })]);
    await expect(api.query('SELECT FROM WHERE').toArray()).rejects.toMatchObject({ status: 400, code: 'SqlQueryError' });
  });

  it('updates components, sends telemetry and reads a property\'s history', async () => {
    const twin = await api.twins.upsert('c-h', room());
    await api.twins.updateComponent('c-h', 'thermostat', [{ op: 'add', path: '/setPoint', value: 20 }]);
    expect(await api.twins.getComponent('c-h', 'thermostat')).toMatchObject({ setPoint: 20 });
    await api.twins.sendTelemetry('c-h', { reading: 20.5 }, { component: 'thermostat' });
    await api.twins.update('c-h', [{ op: 'replace', path: '/Temperature', value: 25 }]);
    let values: unknown[] = [];
    for (let i = 0; i < 50 && values.length < 2; i++) {
      values = await api.twins.history('c-h', { property: 'Temperature' }).toArray().catch(() => []);
      if (values.length < 2) await new Promise((r) => setTimeout(r, 200));
    }
    expect(values.map((v) => (v as { value: unknown }).value).sort()).toEqual([21, 25]);
    const first = (values as { value: unknown; time: string }[]).find((v) => v.value === 21)!;
    expect(await api.twins.get('c-h', { asOf: first.time })).toMatchObject({ $dtId: twin.$dtId, Temperature: 21 });
  });

  it('reads the live event stream', async () => {
    const abort = new AbortController();
    const stream = api.events.stream({ filter: "type = 'Microsoft.DigitalTwins.Twin.Create'", signal: abort.signal });
    const first = stream.next();
    await new Promise((r) => setTimeout(r, 300));
    await api.twins.upsert('c-ev', room());
    const { value } = await first;
    abort.abort();
    expect(value).toMatchObject({ event: 'Microsoft.DigitalTwins.Twin.Create', data: expect.objectContaining({ subject: 'c-ev' }) });
  });
});

describe('@odt/client against a gateway with authentication and rate limits', () => {
  let system: TestSystem;
  let issuer: Server;
  let issuerUrl: string;
  let tokenRequests = 0;

  beforeAll(async () => {
    system = await startSystem({ without: ['router', 'history', 'relationships'], overrides: authEnv({ RATE_LIMIT_PER_CALLER: '3' }) });
    // An OAuth issuer: discovery plus a client-credentials token endpoint minting what the gateway trusts.
    issuer = createServer((req, res) => {
      const self = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json').end(JSON.stringify({ issuer: self, token_endpoint: `${self}/token` }));
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== 'cli' || form.get('client_secret') !== 's3cret') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
          return;
        }
        tokenRequests++;
        void mintToken({ sub: 'cli', roles: ['DataReader'] }).then((t) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ access_token: t, token_type: 'Bearer', expires_in: 600 })));
      });
    });
    await new Promise<void>((r) => issuer.listen(0, '127.0.0.1', r));
    issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    issuer?.close();
    await system?.stop();
  });

  it('is refused without a token, and served with a static one', async () => {
    await expect(new DigitalTwinsApi({ endpoint: system.gatewayUrl }).models.list().toArray()).rejects.toMatchObject({ status: 401 });
    const api = new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential: staticToken(await mintToken()) });
    expect(await api.models.list().toArray()).toEqual([]);
  });

  it('gets its token with OAuth client credentials from the issuer\'s discovery document, once', async () => {
    const api = new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential: clientCredentials({ issuer: issuerUrl, clientId: 'cli', clientSecret: 's3cret', scope: `${TEST_AUTH.audience}/.default` }) });
    await api.models.list().toArray();
    await new Promise((r) => setTimeout(r, 1100));
    await api.models.list().toArray();
    expect(tokenRequests).toBe(1);
    const wrong = new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential: clientCredentials({ issuer: issuerUrl, clientId: 'cli', clientSecret: 'nope' }) });
    await expect(wrong.models.list().toArray()).rejects.toThrow(/refused the client credentials \(401\)/);
  });

  it('runs a token command (plain or JSON output)', async () => {
    const token = await mintToken({ sub: 'cmd' });
    const plain = new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential: tokenCommand(`echo ${token}`) });
    await expect(plain.models.list().toArray()).resolves.toEqual([]);
    const json = new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential: tokenCommand(`echo '{"accessToken":"${token}","expiresOn":"2099-01-01 00:00:00"}'`) });
    await expect(json.models.list().toArray()).resolves.toEqual([]);
    const failing = new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential: tokenCommand('echo nope >&2; exit 3') });
    await expect(failing.models.list().toArray()).rejects.toThrow(/token command failed \(3\): nope/);
  });

  it('retries a 429 after the Retry-After the gateway sends, and gives up when told not to retry', async () => {
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const credential = staticToken(await mintToken({ sub: 'throttled' }));
    const noRetry = new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential, retry: { maxRetries: 0 } });
    const retrying = new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential });
    for (let i = 0; i < 3; i++) await noRetry.models.list().toArray();
    await expect(noRetry.models.list().toArray()).rejects.toMatchObject({ status: 429 });
    const started = Date.now();
    await expect(retrying.models.list().toArray()).resolves.toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
