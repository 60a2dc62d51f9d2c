import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { uniqueDtmiPrefix } from '../support/models';
import { sdkClient } from '../support/sdk';
import { startSystem, type TestSystem } from '../support/system';

interface AdtError {
  code: string;
  message: string;
  details?: { code: string; message: string; target?: string }[];
}

interface Answer {
  status: number;
  code: string | null;
  etag: string | null;
  body: Record<string, unknown> & { error?: AdtError };
}

/** A model with a property of every schema kind, and a component. */
function allKindsModels(prefix: string) {
  const part = {
    '@id': `${prefix}:Part;1`,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    contents: [{ '@type': 'Property', name: 'level', schema: 'double' }],
  };
  const prop = (name: string, schema: unknown) => ({ '@type': 'Property', name, schema });
  const kinds = {
    '@id': `${prefix}:AllKinds;1`,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    contents: [
      prop('aDouble', 'double'),
      prop('anInteger', 'integer'),
      prop('aLong', 'long'),
      prop('aBoolean', 'boolean'),
      prop('aString', 'string'),
      prop('aDate', 'date'),
      prop('aDateTime', 'dateTime'),
      prop('aDuration', 'duration'),
      prop('aTime', 'time'),
      prop('aStringEnum', { '@type': 'Enum', valueSchema: 'string', enumValues: [{ name: 'on', enumValue: 'on' }, { name: 'off', enumValue: 'off' }] }),
      prop('anIntegerEnum', { '@type': 'Enum', valueSchema: 'integer', enumValues: [{ name: 'low', enumValue: 1 }, { name: 'high', enumValue: 2 }] }),
      prop('anObject', { '@type': 'Object', fields: [{ name: 'street', schema: 'string' }, { name: 'number', schema: 'integer' }] }),
      prop('aMap', { '@type': 'Map', mapKey: { name: 'key', schema: 'string' }, mapValue: { name: 'value', schema: 'integer' } }),
      prop('anArray', { '@type': 'Array', elementSchema: 'integer' }),
      prop('aPoint', 'point'),
      { '@type': 'Component', name: 'part', schema: part['@id'] },
    ],
  };
  return { part, kinds };
}

const valid = {
  aDouble: 1.5,
  anInteger: 7,
  aLong: 9007199254740991,
  aBoolean: true,
  aString: 'text',
  aDate: '2024-02-29',
  aDateTime: '2024-02-29T12:00:00Z',
  aDuration: 'P1DT2H',
  aTime: '12:30:00Z',
  aStringEnum: 'on',
  anIntegerEnum: 2,
  anObject: { street: 'Main', number: 1 },
  aMap: { a: 1 },
  anArray: [1, 2],
  aPoint: { type: 'Point', coordinates: [4.9, 52.4] },
  part: { level: 3, $metadata: {} },
};

/** Bad input on the twin endpoints: a 4xx ADT error (body code = x-ms-error-code), and nothing stored. */
describe('bad input on twins, components and telemetry', () => {
  let system: TestSystem;
  let client: DigitalTwinsClient;
  let models: ReturnType<typeof allKindsModels>;
  let n = 0;
  const twinId = () => `bad-${Date.now().toString(36)}-${n++}`;
  const twin = (extra: Record<string, unknown> = {}) => ({ $metadata: { $model: models.kinds['@id'] }, ...valid, ...extra });

  beforeAll(async () => {
    system = await startSystem({ without: ['relationships', 'router'] });
    client = sdkClient(system.gatewayUrl);
    models = allKindsModels(uniqueDtmiPrefix());
    await client.createModels([models.part, models.kinds]);
  });
  afterAll(() => system?.stop());

  async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, {
      method,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json', ...headers },
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : {};
    if (res.status >= 400) expect(parsed.error?.code).toBe(res.headers.get('x-ms-error-code'));
    return { status: res.status, code: res.headers.get('x-ms-error-code'), etag: res.headers.get('etag'), body: parsed };
  }

  /** A twin that conforms, and its state to compare with after a refused write. */
  async function existing(): Promise<{ id: string; before: Answer }> {
    const id = twinId();
    const put = await call('PUT', `/digitaltwins/${id}`, twin());
    expect(put.body.error).toBeUndefined();
    expect(put.status).toBe(200);
    return { id, before: await call('GET', `/digitaltwins/${id}`) };
  }

  async function expectUnchanged(id: string, before: Answer): Promise<void> {
    expect(await call('GET', `/digitaltwins/${id}`)).toEqual(before);
  }

  it('accepts the valid twin of every schema kind (the baseline of the cases below)', async () => {
    const { before } = await existing();
    expect(before.body).toMatchObject(valid);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['double', { aDouble: 'warm' }, '/aDouble'],
    ['double (not null)', { aDouble: null }, '/aDouble'],
    ['integer', { anInteger: 1.5 }, '/anInteger'],
    ['integer (32-bit range)', { anInteger: 2 ** 31 }, '/anInteger'],
    ['long', { aLong: 'many' }, '/aLong'],
    ['boolean', { aBoolean: 'true' }, '/aBoolean'],
    ['string', { aString: 5 }, '/aString'],
    ['string (over 4 KB)', { aString: 'x'.repeat(4097) }, '/aString'],
    ['date', { aDate: '2024-02-30' }, '/aDate'],
    ['dateTime', { aDateTime: '2024-02-29' }, '/aDateTime'],
    ['duration', { aDuration: '1 day' }, '/aDuration'],
    ['time', { aTime: '25:00:00' }, '/aTime'],
    ['string Enum', { aStringEnum: 'maybe' }, '/aStringEnum'],
    ['integer Enum', { anIntegerEnum: 3 }, '/anIntegerEnum'],
    ['Object field', { anObject: { street: 'Main', number: 'one' } }, '/anObject/number'],
    ['Object with an undeclared field', { anObject: { floor: 1 } }, '/anObject/floor'],
    ['Object (not an object)', { anObject: 'Main 1' }, '/anObject'],
    ['Map value', { aMap: { a: 1, b: 'two' } }, '/aMap/b'],
    ['Map (not an object)', { aMap: [1] }, '/aMap'],
    ['Array element', { anArray: [1, 'two'] }, '/anArray/1'],
    ['Array (not an array)', { anArray: 1 }, '/anArray'],
    ['point', { aPoint: { type: 'Point', coordinates: 'here' } }, '/aPoint'],
    ['point (another geometry)', { aPoint: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } }, '/aPoint'],
    ['component property', { part: { level: 'high', $metadata: {} } }, '/part/level'],
    ['component (not an object)', { part: 3 }, '/part'],
    ['undeclared property', { colour: 'red' }, '/colour'],
  ])('a wrong %s is 400 ValidationFailed naming %p, on PUT and PATCH, and stores nothing', async (_kind, wrong, path) => {
    const id = twinId();
    const put = await call('PUT', `/digitaltwins/${id}`, twin(wrong));
    expect(put).toMatchObject({ status: 400, code: 'ValidationFailed' });
    expect(put.body.error!.message).toBe('Invalid twin specified');
    expect(put.body.error!.details).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'ValidationFailed', target: path, message: expect.stringContaining(`${path}: `) }),
    ]));
    expect((await call('GET', `/digitaltwins/${id}`)).code).toBe('DigitalTwinNotFound');

    const { id: other, before } = await existing();
    const patch = Object.entries(wrong).map(([key, value]) => ({ op: 'add', path: `/${key}`, value }));
    const patched = await call('PATCH', `/digitaltwins/${other}`, patch);
    expect(patched).toMatchObject({ status: 400, code: 'ValidationFailed' });
    expect(patched.body.error!.details!.map((d) => d.target)).toContain(path);
    await expectUnchanged(other, before);
  });

  it('the SDK surfaces the code, the message and the details of a ValidationFailed', async () => {
    const err = await client.upsertDigitalTwin(twinId(), JSON.stringify(twin({ aDouble: 'warm' }))).then(
      () => undefined,
      (e: { statusCode: number; code: string; message: string; response?: { parsedBody?: { error?: AdtError } } }) => e,
    );
    expect(err).toMatchObject({ statusCode: 400, code: 'ValidationFailed', message: 'Invalid twin specified' });
    expect(err!.response?.parsedBody?.error?.details?.[0]).toMatchObject({ code: 'ValidationFailed', message: expect.stringContaining('/aDouble: ') });
  });

  it('a component patch with a wrong value is ValidationFailed naming the absolute path', async () => {
    const { id, before } = await existing();
    const res = await call('PATCH', `/digitaltwins/${id}/components/part`, [{ op: 'replace', path: '/level', value: 'high' }]);
    expect(res).toMatchObject({ status: 400, code: 'ValidationFailed' });
    expect(res.body.error!.details![0].target).toBe('/part/level');
    await expectUnchanged(id, before);
  });

  it('an unknown component name is 404 ComponentNotFound on GET, PATCH and telemetry', async () => {
    const { id, before } = await existing();
    for (const name of ['nope', 'aDouble', 'anObject', '$metadata', 'part.level']) {
      expect(await call('GET', `/digitaltwins/${id}/components/${encodeURIComponent(name)}`)).toMatchObject({ status: 404, code: 'ComponentNotFound' });
      expect(await call('PATCH', `/digitaltwins/${id}/components/${encodeURIComponent(name)}`, [{ op: 'add', path: '/level', value: 1 }]))
        .toMatchObject({ status: 404, code: 'ComponentNotFound' });
      expect(await call('POST', `/digitaltwins/${id}/components/${encodeURIComponent(name)}/telemetry`, { a: 1 }, { 'message-id': 'm' }))
        .toMatchObject({ status: 404, code: 'ComponentNotFound' });
    }
    await expectUnchanged(id, before);
  });

  it.each([
    ['/../x', 'a parent segment'],
    ['/aDouble/', 'a trailing slash'],
    ['', 'the empty path (the whole document)'],
    ['/', 'the root'],
    ['/aMap//b', 'an empty segment'],
    ['/$metadata/$etag', '$metadata/$etag'],
    ['/$metadata/$lastUpdateTime', '$metadata/$lastUpdateTime'],
    ['/$metadata', 'the whole $metadata'],
    ['/$dtId', '$dtId'],
    ['/$etag', '$etag'],
    ['/$custom', 'a made-up system property'],
    ['/__proto__/x', 'a path through __proto__'],
  ])('a twin patch on %p (%s) is 400 JsonPatchInvalid and changes nothing', async (path) => {
    const { id, before } = await existing();
    for (const op of ['add', 'replace', 'remove']) {
      const res = await call('PATCH', `/digitaltwins/${id}`, [{ op, path, value: 'x' }]);
      expect(res).toMatchObject({ status: 400, code: 'JsonPatchInvalid' });
    }
    await expectUnchanged(id, before);
  });

  it.each([
    ['/../x', 'a parent segment'],
    ['', 'the empty path (the whole component)'],
    ['/', 'the component root'],
    ['/level/', 'a trailing slash'],
    ['/$metadata/$model', 'a model change'],
    ['/$metadata/$lastUpdateTime', '$metadata/$lastUpdateTime'],
    ['/$dtId', '$dtId'],
    ['/$etag', '$etag'],
    ['/__proto__', '__proto__'],
  ])('a component patch on %p (%s) is 400 JsonPatchInvalid and changes nothing', async (path) => {
    const { id, before } = await existing();
    const res = await call('PATCH', `/digitaltwins/${id}/components/part`, [{ op: 'add', path, value: 'x' }]);
    expect(res).toMatchObject({ status: 400, code: 'JsonPatchInvalid' });
    await expectUnchanged(id, before);
  });

  it('a sourceTime that is not RFC 3339 is ValidationFailed, on the twin and on a component', async () => {
    const { id, before } = await existing();
    expect(await call('PATCH', `/digitaltwins/${id}`, [{ op: 'add', path: '/$metadata/aDouble/sourceTime', value: 'noon' }]))
      .toMatchObject({ status: 400, code: 'ValidationFailed' });
    expect(await call('PATCH', `/digitaltwins/${id}/components/part`, [{ op: 'add', path: '/$metadata/level/sourceTime', value: 'noon' }]))
      .toMatchObject({ status: 400, code: 'ValidationFailed' });
    await expectUnchanged(id, before);
  });

  it('a body over 32 KB is 413 PayloadTooLarge on PUT, PATCH, component PATCH and telemetry', async () => {
    const { id, before } = await existing();
    const big = 'x'.repeat(40 * 1024);
    expect(await call('PUT', `/digitaltwins/${twinId()}`, twin({ aString: big }))).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
    expect(await call('PATCH', `/digitaltwins/${id}`, [{ op: 'add', path: '/aString', value: big }])).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
    expect(await call('PATCH', `/digitaltwins/${id}/components/part`, [{ op: 'add', path: '/level', value: big }])).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
    expect(await call('POST', `/digitaltwins/${id}/telemetry`, { big }, { 'message-id': 'm' })).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
    await expectUnchanged(id, before);
  });

  it('patches that would grow a twin past 32 KB are ValidationFailed, though each body is small', async () => {
    const { id } = await existing();
    let refused: Answer | undefined;
    let applied = 0;
    // Each patch body is ~17 KB and adds ~10 KB of map entries to the stored twin.
    for (let i = 0; i < 6 && !refused; i++) {
      const ops = Array.from({ length: 200 }, (_, j) => ({ op: 'add', path: `/aMap/${'k'.repeat(40)}-${i}-${j}`, value: j }));
      const res = await call('PATCH', `/digitaltwins/${id}`, ops);
      if (res.status === 204) applied++;
      else refused = res;
    }
    expect(applied).toBeGreaterThan(0);
    expect(refused).toMatchObject({ status: 400, code: 'ValidationFailed' });
    expect(refused!.body.error!.details![0].message).toMatch(/limited to 32768 bytes/);
    const stored = (await call('GET', `/digitaltwins/${id}`)).body;
    expect(Object.keys(stored.aMap as object)).toHaveLength(1 + applied * 200);
  });

  it('a property name over 1 KB is ValidationFailed', async () => {
    const id = twinId();
    const res = await call('PUT', `/digitaltwins/${id}`, twin({ aMap: { ['k'.repeat(1025)]: 1 } }));
    expect(res).toMatchObject({ status: 400, code: 'ValidationFailed' });
    expect((await call('GET', `/digitaltwins/${id}`)).code).toBe('DigitalTwinNotFound');
  });

  it.each([
    ['a slash (as %2F)', 'a%2Fb'],
    ['a percent sign (as %25)', 'a%25b'],
    ['non-ASCII', encodeURIComponent('café')],
    ['an emoji', encodeURIComponent('room🙂')],
    ['a space', 'a%20b'],
    ['1 KB', 'x'.repeat(1024)],
    ['129 characters', 'x'.repeat(129)],
  ])('an id with %s is 400 InvalidArgument on every twin operation, and nothing is stored', async (_what, encoded) => {
    const expectInvalid = (a: Answer) => expect(a).toMatchObject({ status: 400, code: 'InvalidArgument' });
    const put = await call('PUT', `/digitaltwins/${encoded}`, twin());
    expectInvalid(put);
    expect(put.body.error!.message).toContain('1 to 128 characters');
    expectInvalid(await call('GET', `/digitaltwins/${encoded}`));
    expectInvalid(await call('PATCH', `/digitaltwins/${encoded}`, [{ op: 'add', path: '/aDouble', value: 1 }]));
    expectInvalid(await call('DELETE', `/digitaltwins/${encoded}`));
    expectInvalid(await call('GET', `/digitaltwins/${encoded}/components/part`));
    expectInvalid(await call('PATCH', `/digitaltwins/${encoded}/components/part`, [{ op: 'add', path: '/level', value: 1 }]));
    expectInvalid(await call('POST', `/digitaltwins/${encoded}/telemetry`, { a: 1 }, { 'message-id': 'm' }));
  });

  it('accepts ids made of every allowed character, up to 128 long, through the SDK', async () => {
    for (const id of ["a-b.c_d~e:f@g!h$i&j'k(l)m*n+o,p;q=r", 'x'.repeat(128)]) {
      const res = await client.upsertDigitalTwin(id, JSON.stringify(twin()));
      expect(res.body.$dtId).toBe(id);
      expect((await client.getDigitalTwin(id)).body.$dtId).toBe(id);
      expect((await client.getComponent(id, 'part')).body.level).toBe(3);
      await client.deleteDigitalTwin(id);
    }
  });
});
