import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

interface Answer {
  status: number;
  code: string | null;
  body: { error?: { code: string; message: string } };
}

/** Bad input gets a 4xx ADT error (body code = x-ms-error-code), never a 500, and writes nothing. */
describe('bad input at the gateway', () => {
  let system: TestSystem;
  let m: ReturnType<typeof buildingModels>;

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'router'] });
    m = buildingModels(uniqueDtmiPrefix());
  });
  afterAll(() => system?.stop());

  async function call(method: string, route: string, body?: string, headers: Record<string, string> = {}, version: string | null = '2023-10-31'): Promise<Answer> {
    const url = `${system.gatewayUrl}${route}${version === null ? '' : `${route.includes('?') ? '&' : '?'}api-version=${version}`}`;
    const res = await fetch(url, { method, body, headers: { 'content-type': 'application/json', ...headers } });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : {};
    if (res.status >= 400) expect(parsed.error?.code).toBe(res.headers.get('x-ms-error-code'));
    return { status: res.status, code: res.headers.get('x-ms-error-code'), body: parsed };
  }

  async function modelCount(): Promise<number> {
    const res = await call('GET', '/models', undefined, { 'max-items-per-page': '1000' });
    return (res.body as unknown as { value: unknown[] }).value.length;
  }

  it.each([
    ['malformed JSON', '{"not": json'],
    ['a JSON object instead of an array', JSON.stringify(buildingModels('dtmi:x:y').space)],
    ['an empty array', '[]'],
    ['an array of strings', '["dtmi:com:x;1"]'],
  ])('POST /models with %s is a 400 and stores nothing', async (_name, body) => {
    const before = await modelCount();
    const res = await call('POST', '/models', body);
    expect(res.status).toBe(400);
    expect(['InvalidArgument', 'DTDLParserError']).toContain(res.code);
    expect(await modelCount()).toBe(before);
  });

  it('a model whose @id is not a DTMI is a DTDLParserError and nothing of the batch is stored', async () => {
    const before = await modelCount();
    const bad = { ...m.space, '@id': 'not-a-dtmi' };
    const res = await call('POST', '/models', JSON.stringify([m.thermostat, bad]));
    expect(res).toMatchObject({ status: 400, code: 'DTDLParserError' });
    expect(await modelCount()).toBe(before);
  });

  it('a 5 MB body is a 413 PayloadTooLarge, and a 40 KB twin too', async () => {
    const big = JSON.stringify([{ ...m.space, description: 'x'.repeat(5 * 1024 * 1024) }]);
    expect(await call('POST', '/models', big)).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
    const twin = JSON.stringify({ $metadata: { $model: m.space['@id'] }, name: 'x'.repeat(40 * 1024) });
    expect(await call('PUT', '/digitaltwins/big-twin', twin)).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
  });

  it('an unknown api-version is a 400 InvalidArgument, a missing one a 400 MissingArgument', async () => {
    expect(await call('GET', '/models', undefined, {}, '2019-01-01')).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(await call('GET', '/models', undefined, {}, null)).toMatchObject({ status: 400, code: 'MissingArgument' });
    for (const v of ['2020-10-31', '2022-05-31', '2023-06-30', '2023-10-31']) expect((await call('GET', '/models', undefined, {}, v)).status).toBe(200);
  });

  it('malformed JSON to PUT a twin is a 400, an unknown route a 404 RouteNotFound', async () => {
    expect(await call('PUT', '/digitaltwins/t1', '{oops')).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(await call('GET', '/nowhere')).toMatchObject({ status: 404, code: 'RouteNotFound' });
  });

  it('a bad If-Match / If-None-Match header value is a 400 InvalidArgument', async () => {
    await call('POST', '/models', JSON.stringify([m.space]));
    const twin = JSON.stringify({ $metadata: { $model: m.space['@id'] } });
    expect(await call('PUT', '/digitaltwins/hdr', twin, { 'if-none-match': 'abc' })).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect((await call('PUT', '/digitaltwins/hdr', twin)).status).toBe(200);
    expect(await call('PATCH', '/digitaltwins/hdr', '[]', { 'if-match': 'nonsense', 'content-type': 'application/json-patch+json' }))
      .toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('bad query parameters are 400s: includeModelDefinition not a boolean, max-items-per-page not a number, a forged nextLink', async () => {
    expect(await call('GET', '/models?includeModelDefinition=maybe')).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(await call('GET', '/models', undefined, { 'max-items-per-page': '-3' })).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(await call('GET', '/models?continuationToken=%27%3B--')).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('dependenciesFor a model that does not exist is a 404 ModelNotFound', async () => {
    expect(await call('GET', `/models?dependenciesFor=${encodeURIComponent(`${uniqueDtmiPrefix()}:None;1`)}`)).toMatchObject({ status: 404, code: 'ModelNotFound' });
  });

  it('decommission patches other than replace /decommissioned true are rejected', async () => {
    const own = buildingModels(uniqueDtmiPrefix());
    await call('POST', '/models', JSON.stringify([own.space]));
    const path = `/models/${encodeURIComponent(own.space['@id'])}`;
    const h = { 'content-type': 'application/json-patch+json' };
    expect(await call('PATCH', path, JSON.stringify([{ op: 'add', path: '/decommissioned', value: true }]), h)).toMatchObject({ status: 400, code: 'JsonPatchInvalid' });
    expect(await call('PATCH', path, JSON.stringify([{ op: 'replace', path: '/displayName', value: 'x' }]), h)).toMatchObject({ status: 400, code: 'JsonPatchInvalid' });
    expect(await call('PATCH', path, JSON.stringify([{ op: 'replace', path: '/decommissioned', value: false }]), h)).toMatchObject({ status: 400, code: 'InvalidArgument' });
    const got = await call('GET', path);
    expect((got.body as unknown as { decommissioned: boolean }).decommissioned).toBe(false);
  });
});
