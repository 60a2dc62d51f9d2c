import { validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ErrorStatus, isErrorCode } from '@odt/contracts';
import { ServedRoutes } from '../../apps/gateway/src/http/served-routes';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/**
 * /openapi.json: a valid OpenAPI 3.1 document that names exactly the routes the gateway serves,
 * marks everything beyond ADT, lists real error codes, and describes the shapes the gateway
 * really answers with.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an OpenAPI document is read as plain JSON here
type Doc = any;

/** ADT's 32 operationIds (2023-10-31). */
const ADT_OPERATIONS = [
  'DigitalTwinModels_Add', 'DigitalTwinModels_List', 'DigitalTwinModels_GetById', 'DigitalTwinModels_Update', 'DigitalTwinModels_Delete',
  'Query_QueryTwins',
  'DigitalTwins_GetById', 'DigitalTwins_Add', 'DigitalTwins_Update', 'DigitalTwins_Delete',
  'DigitalTwins_GetRelationshipById', 'DigitalTwins_AddRelationship', 'DigitalTwins_UpdateRelationship', 'DigitalTwins_DeleteRelationship',
  'DigitalTwins_ListRelationships', 'DigitalTwins_ListIncomingRelationships', 'DigitalTwins_SendTelemetry', 'DigitalTwins_SendComponentTelemetry',
  'DigitalTwins_GetComponent', 'DigitalTwins_UpdateComponent',
  'EventRoutes_List', 'EventRoutes_GetById', 'EventRoutes_Add', 'EventRoutes_Delete',
  'ImportJobs_List', 'ImportJobs_Add', 'ImportJobs_GetById', 'ImportJobs_Delete', 'ImportJobs_Cancel',
  'DeleteJobs_Add', 'DeleteJobs_List', 'DeleteJobs_GetById',
];
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

let system: TestSystem;
let doc: Doc;

beforeAll(async () => {
  system = await startSystem();
  const res = await fetch(`${system.gatewayUrl}/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
}, 60_000);

afterAll(() => system?.stop());

function operations(d: Doc): { path: string; method: string; op: Doc }[] {
  return Object.entries(d.paths as Record<string, Doc>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method: method.toUpperCase(), op: item[method] })));
}

describe('the OpenAPI description', () => {
  it('is served without api-version or token, and is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: system.gatewayUrl, description: 'this gateway' }]);
    const result = await validate(structuredClone(doc));
    expect(result).toMatchObject({ valid: true, specification: 'OpenAPI' });
    // The validator does find mistakes: an operation without responses, a dangling reference.
    const broken = structuredClone(doc);
    delete broken.paths['/models'].get.responses;
    broken.paths['/query'].post.requestBody.content['application/json'].schema = { $ref: '#/components/schemas/Nothing' };
    expect((await validate(broken)).valid).toBe(false);
  });

  it('names every route the gateway serves, and no other', () => {
    const served = system.apps.gateway.get(ServedRoutes).list()
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    const described = operations(doc).map((o) => `${o.method} ${o.path}`);
    expect(served.length).toBeGreaterThan(40);
    expect([...new Set(served)].sort()).toEqual([...described].sort());
  });

  it("keeps ADT's operation ids, and marks every other operation as an extension", () => {
    const ops = operations(doc);
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => ADT_OPERATIONS.includes(id)).sort()).toEqual([...ADT_OPERATIONS].sort());
    const unmarked = ops.filter((o) => !ADT_OPERATIONS.includes(o.op.operationId) && o.op['x-odt-extension'] !== true);
    expect(unmarked.map((o) => `${o.method} ${o.path}`)).toEqual([]);
    const adtMarked = ops.filter((o) => ADT_OPERATIONS.includes(o.op.operationId) && o.op['x-odt-extension'] !== undefined);
    expect(adtMarked).toEqual([]);
  });

  it('lists only real error codes, each under its own status', () => {
    const wrong: string[] = [];
    let codes = 0;
    for (const { path, method, op } of operations(doc)) {
      for (const [status, response] of Object.entries(op.responses as Record<string, Doc>)) {
        if (Number(status) < 400) continue;
        for (const [, word] of String(response.description ?? '').matchAll(/`([A-Za-z]+)`/g)) {
          codes++;
          if (!isErrorCode(word)) wrong.push(`${method} ${path} ${status}: ${word} is no error code`);
          else if (ErrorStatus[word] !== Number(status)) wrong.push(`${method} ${path} ${status}: ${word} is a ${ErrorStatus[word]}`);
        }
      }
    }
    expect(codes).toBeGreaterThan(60);
    expect(wrong).toEqual([]);
  });
});

describe('the shapes it describes are the shapes the gateway answers with', () => {
  let schemaOf: (method: string, path: string, status: number, type?: string) => object;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  const prefix = uniqueDtmiPrefix();
  const models = buildingModels(prefix);
  const problems: string[] = [];
  let checked = 0;

  beforeAll(() => {
    // The document's schemas reference each other (an error's details are errors): Ajv resolves
    // `#/components/...` within the document itself.
    ajv.addSchema(doc, 'openapi.json');
    const local = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('"#/components/', '"openapi.json#/components/'));
    schemaOf = (method, path, status, type = 'application/json') => {
      let response = doc.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)];
      if (!response) throw new Error(`${method} ${path} does not describe ${status}`);
      if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()];
      const schema = response.content?.[type]?.schema;
      return schema === undefined ? undefined : local(schema);
    };
  });

  /** Calls the gateway and checks the answer against the document: status described, body valid, error header set. */
  async function check(method: string, template: string, path: string, init: { body?: unknown; headers?: Record<string, string>; expect: number }): Promise<Doc> {
    const url = `${system.gatewayUrl}${path}${template.startsWith('/docs') || template === '/' || template.startsWith('/openapi') || /^\/(healthz|readyz)/.test(template) ? '' : `${path.includes('?') ? '&' : '?'}api-version=2023-10-31`}`;
    const contentType = method === 'PATCH' ? 'application/json-patch+json' : 'application/json';
    const res = await fetch(url, { method, headers: { ...init.headers, ...(init.body === undefined ? {} : { 'content-type': contentType }) }, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    expect(`${method} ${path}: ${res.status}`).toBe(`${method} ${path}: ${init.expect}`);
    const text = await res.text();
    const schema = schemaOf(method, template, res.status);
    const body = text ? JSON.parse(text) : undefined;
    if (res.status >= 400) expect(res.headers.get('x-ms-error-code')).toBe(body.error.code);
    if (schema) {
      checked++;
      if (!ajv.validate(schema, body)) problems.push(`${method} ${template} ${res.status}: ${ajv.errorsText()}`);
    } else {
      expect(text).toBe('');
    }
    return body;
  }

  it('for models, twins, components, relationships, queries, routes, endpoints, tickets, audit and errors', async () => {
    const room = models.room['@id'];
    await check('GET', '/', '/', { expect: 200 });
    await check('GET', '/healthz', '/healthz', { expect: 200 });
    await check('GET', '/readyz', '/readyz', { expect: 200 });
    await check('POST', '/models', '/models', { body: models.all, expect: 201 });
    await check('POST', '/models', '/models', { body: [models.space], expect: 409 });
    await check('POST', '/models', '/models', { body: [{ '@id': 'dtmi:x:Bad;1', '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', contents: [{ '@type': 'Nonsense' }] }], expect: 400 });
    await check('GET', '/models', '/models?includeModelDefinition=true', { expect: 200 });
    await check('GET', '/models/{id}', `/models/${encodeURIComponent(room)}`, { expect: 200 });
    await check('GET', '/models/{id}', '/models/dtmi%3Ano%3ASuch%3B1', { expect: 404 });
    const twin = { $metadata: { $model: room }, name: 'R1', Temperature: 21, thermostat: { $metadata: {}, setPoint: 20 } };
    await check('PUT', '/digitaltwins/{id}', '/digitaltwins/oa-r1', { body: twin, expect: 200 });
    await check('PUT', '/digitaltwins/{id}', '/digitaltwins/oa-r1', { body: twin, headers: { 'if-none-match': '*' }, expect: 412 });
    await check('PUT', '/digitaltwins/{id}', '/digitaltwins/oa-bad', { body: { ...twin, Temperature: 'warm' }, expect: 400 });
    await check('PUT', '/digitaltwins/{id}', '/digitaltwins/oa-r2', { body: { $metadata: { $model: room }, thermostat: { $metadata: {} } }, expect: 200 });
    await check('GET', '/digitaltwins/{id}', '/digitaltwins/oa-r1', { expect: 200 });
    await check('GET', '/digitaltwins/{id}', '/digitaltwins/oa-none', { expect: 404 });
    await check('PATCH', '/digitaltwins/{id}', '/digitaltwins/oa-r1', { body: [{ op: 'replace', path: '/Temperature', value: 22 }], expect: 204 });
    await check('PATCH', '/digitaltwins/{id}', '/digitaltwins/oa-r1', { body: [{ op: 'move', path: '/Temperature', from: '/x' }], expect: 400 });
    await check('GET', '/digitaltwins/{id}/components/{componentPath}', '/digitaltwins/oa-r1/components/thermostat', { expect: 200 });
    await check('PATCH', '/digitaltwins/{id}/components/{componentPath}', '/digitaltwins/oa-r1/components/thermostat', { body: [{ op: 'replace', path: '/setPoint', value: 23 }], expect: 204 });
    await check('POST', '/digitaltwins/{id}/telemetry', '/digitaltwins/oa-r1/telemetry', { body: { any: 1 }, headers: { 'message-id': 'm1' }, expect: 204 });
    await check('POST', '/digitaltwins/{id}/components/{componentPath}/telemetry', '/digitaltwins/oa-r1/components/thermostat/telemetry', { body: { reading: 1 }, headers: { 'message-id': 'm2' }, expect: 204 });
    await check('PUT', '/digitaltwins/{id}/relationships/{relationshipId}', '/digitaltwins/oa-r1/relationships/rel1', { body: { $relationshipName: 'feeds', $targetId: 'oa-r2', weight: 1 }, expect: 200 });
    await check('PUT', '/digitaltwins/{id}/relationships/{relationshipId}', '/digitaltwins/oa-r1/relationships/rel2', { body: { $relationshipName: 'feeds', $targetId: 'oa-none' }, expect: 404 });
    await check('GET', '/digitaltwins/{id}/relationships/{relationshipId}', '/digitaltwins/oa-r1/relationships/rel1', { expect: 200 });
    await check('PATCH', '/digitaltwins/{id}/relationships/{relationshipId}', '/digitaltwins/oa-r1/relationships/rel1', { body: [{ op: 'replace', path: '/weight', value: 2 }], expect: 204 });
    await check('GET', '/digitaltwins/{id}/relationships', '/digitaltwins/oa-r1/relationships', { expect: 200 });
    await check('GET', '/digitaltwins/{id}/incomingrelationships', '/digitaltwins/oa-r2/incomingrelationships', { expect: 200 });
    await check('DELETE', '/digitaltwins/{id}', '/digitaltwins/oa-r2', { expect: 400 });
    await check('POST', '/query', '/query', { body: { query: 'SELECT * FROM DIGITALTWINS' }, headers: { 'max-items-per-page': '1' }, expect: 200 });
    await check('POST', '/query', '/query', { body: { query: 'SELECT FROM' }, expect: 400 });
    await check('PUT', '/endpoints/{name}', '/endpoints/oa-ep', { body: { endpointType: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-16-chars-or-more' }, expect: 200 });
    await check('GET', '/endpoints/{name}', '/endpoints/oa-ep', { expect: 200 });
    await check('GET', '/endpoints', '/endpoints', { expect: 200 });
    await check('GET', '/endpoints/{name}/deadletters', '/endpoints/oa-ep/deadletters', { expect: 200 });
    await check('PUT', '/eventroutes/{id}', '/eventroutes/oa-route', { body: { endpointName: 'oa-ep', filter: 'false' }, expect: 204 });
    await check('PUT', '/eventroutes/{id}', '/eventroutes/oa-route2', { body: { endpointName: 'oa-ep', filter: "type = 'x" }, expect: 400 });
    await check('GET', '/eventroutes/{id}', '/eventroutes/oa-route', { expect: 200 });
    await check('GET', '/eventroutes', '/eventroutes', { expect: 200 });
    await check('DELETE', '/endpoints/{name}', '/endpoints/oa-ep', { expect: 409 });
    await check('DELETE', '/eventroutes/{id}', '/eventroutes/oa-route', { expect: 204 });
    await check('POST', '/endpoints/{name}/deadletters/replay', '/endpoints/oa-ep/deadletters/replay', { expect: 200 });
    await check('POST', '/events/tickets', '/events/tickets', { expect: 201 });
    await check('DELETE', '/digitaltwins/{id}/relationships/{relationshipId}', '/digitaltwins/oa-r1/relationships/rel1', { expect: 204 });
    await check('GET', '/audit', '/audit?outcome=failed', { expect: 200 });
    await check('GET', '/audit', '/audit?from=yesterday', { expect: 400 });
    await check('PUT', '/jobs/imports/{id}', '/jobs/imports/oa-job', { body: { inputBlobUri: 'file:///../x', outputBlobUri: 'file:///y' }, expect: 400 });
    await check('GET', '/jobs/imports/{id}', '/jobs/imports/oa-none', { expect: 404 });
    await check('GET', '/jobs/imports', '/jobs/imports', { expect: 200 });
    await check('GET', '/jobs/deletions', '/jobs/deletions', { expect: 200 });
    await check('GET', '/jobs/deletions/{id}', '/jobs/deletions/oa-none', { expect: 404 });
    await check('PUT', '/jobs/exports/{id}', '/jobs/exports/oa-export', { body: {}, expect: 201 });
    await check('GET', '/jobs/exports/{id}', '/jobs/exports/oa-export', { expect: 200 });
    expect(checked).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });

  it('answers 404 RouteNotFound, not 400, for paths it does not serve', async () => {
    for (const path of ['/swagger', '/nope/deeper', '/models/a/b']) {
      const res = await fetch(`${system.gatewayUrl}${path}`);
      expect([path, res.status, res.headers.get('x-ms-error-code')]).toEqual([path, 404, 'RouteNotFound']);
    }
  });
});
