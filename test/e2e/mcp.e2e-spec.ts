import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DigitalTwinsApi, staticToken } from '@odt/client';
import { loadMcpConfig } from '../../apps/mcp-server/src/config';
import type { McpHttpServer } from '../../apps/mcp-server/src/http';
import { startMcpServer } from '../../apps/mcp-server/src/main';
import { authEnv, mintToken, TEST_AUTH } from '../support/auth';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

const DT_MCP = path.join(__dirname, '../../apps/mcp-server/bin/dt-mcp.js');
const WRITE_TOOLS = ['create_or_replace_relationship', 'create_or_replace_twin', 'delete_relationship', 'delete_twin', 'update_twin'];
const READ_TOOLS = ['get_model', 'get_twin', 'list_models', 'list_relationships', 'property_history', 'query', 'traverse'];

/** The MCP server, through the SDK's own client, over streamable HTTP and stdio, against the running system with authentication. */
describe('MCP server', () => {
  let system: TestSystem;
  let mcp: { url: string; server: McpHttpServer };
  let owner: string;
  let reader: string;
  let m: ReturnType<typeof buildingModels>;
  const clients: Client[] = [];

  async function httpClient(token?: string): Promise<Client> {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${mcp.url}/mcp`), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}));
    clients.push(client);
    return client;
  }
  const structured = (r: unknown) => (r as CallToolResult).structuredContent as Record<string, unknown>;
  const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

  beforeAll(async () => {
    system = await startSystem({ without: ['router'], overrides: authEnv() });
    owner = await mintToken({ sub: 'owner', roles: ['DataOwner'] });
    reader = await mintToken({ sub: 'reader', roles: ['DataReader'] });
    mcp = await startMcpServer(loadMcpConfig({ MCP_API_URL: system.gatewayUrl, PORT: '0', LOG_LEVEL: 'silent', MCP_AUTHORIZATION_SERVERS: TEST_AUTH.issuer }), false);
    // A small building: site -contains-> floor -contains-> room1, room2; room1 -feeds-> room2.
    const api = new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential: staticToken(owner) });
    m = buildingModels(uniqueDtmiPrefix());
    await api.models.create(m.all);
    const th = { thermostat: { $metadata: {} } };
    await api.twins.upsert('site', { $metadata: { $model: m.space['@id'] }, name: 'Site' });
    await api.twins.upsert('floor', { $metadata: { $model: m.floor['@id'] }, level: 1 });
    await api.twins.upsert('room1', { $metadata: { $model: m.room['@id'] }, Temperature: 21, ...th });
    await api.twins.upsert('room2', { $metadata: { $model: m.room['@id'] }, Temperature: 26, ...th });
    await api.relationships.upsert('site', 'c1', { $targetId: 'floor', $relationshipName: 'contains' });
    await api.relationships.upsert('floor', 'c2', { $targetId: 'room1', $relationshipName: 'contains' });
    await api.relationships.upsert('floor', 'c3', { $targetId: 'room2', $relationshipName: 'contains' });
    await api.relationships.upsert('room1', 'f1', { $targetId: 'room2', $relationshipName: 'feeds', weight: 0.5 });
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await mcp?.server.close();
    await system?.stop();
  });

  describe('over streamable HTTP', () => {
    it('answers a request without a token with 401 and where to get one', async () => {
      const res = await fetch(`${mcp.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }) });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${mcp.url}/.well-known/oauth-protected-resource/mcp"`);
      const prm = await (await fetch(`${mcp.url}/.well-known/oauth-protected-resource/mcp`)).json();
      expect(prm).toEqual({ resource: `${mcp.url}/mcp`, authorization_servers: [TEST_AUTH.issuer], bearer_methods_supported: ['header'] });
      await expect(httpClient(await mintToken({ secret: 'another-secret-of-at-least-32-characters!' }))).rejects.toThrow(/Unauthorized: The access token's signature is not valid/);
      const foreign = await fetch(`${mcp.url}/mcp`, { method: 'POST', headers: { origin: 'https://evil.example', authorization: `Bearer ${owner}` }, body: '{}' });
      expect(foreign.status).toBe(403);
    });

    it('lists read tools for a reader and write tools, marked destructive, only for a writer', async () => {
      const asReader = await httpClient(reader);
      const readerTools = (await asReader.listTools()).tools;
      expect(readerTools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
      expect(readerTools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
      const asOwner = await httpClient(owner);
      const ownerTools = (await asOwner.listTools()).tools;
      expect(ownerTools.map((t) => t.name).sort()).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort());
      for (const t of ownerTools.filter((t) => WRITE_TOOLS.includes(t.name))) expect(t.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
      const query = readerTools.find((t) => t.name === 'query')!;
      expect(query.description).toContain('IS_OF_MODEL');
      expect(query.description).toContain(m.room['@id']);
    });

    it('refuses a write for a reader token, and lets an owner write', async () => {
      const asReader = await httpClient(reader);
      const refused = await asReader.callTool({ name: 'update_twin', arguments: { twin_id: 'room1', patch: [{ op: 'replace', path: '/Temperature', value: 99 }] } });
      expect(refused.isError).toBe(true);
      const asOwner = await httpClient(owner);
      const written = await asOwner.callTool({ name: 'update_twin', arguments: { twin_id: 'room2', patch: [{ op: 'replace', path: '/Temperature', value: 27 }] } });
      expect(structured(written)).toMatchObject({ twin: { $dtId: 'room2', Temperature: 27 } });
      const twin = await new DigitalTwinsApi({ endpoint: system.gatewayUrl, credential: staticToken(owner) }).twins.get('room1');
      expect(twin.Temperature).toBe(21);
    });

    it('runs a query, pages it, and reports a bad query with its code so the agent can fix it', async () => {
      const client = await httpClient(reader);
      const first = await client.callTool({ name: 'query', arguments: { query: `SELECT T.$dtId, T.Temperature FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${m.room['@id']}')`, max_rows: 1 } });
      expect(first.isError).toBeFalsy();
      const page1 = structured(first);
      expect(page1).toMatchObject({ count: 1, more: true });
      const second = structured(await client.callTool({ name: 'query', arguments: { continuation_token: page1.continuation_token as string, max_rows: 1 } }));
      const ids = [...(page1.rows as { $dtId: string }[]), ...(second.rows as { $dtId: string }[])].map((r) => r.$dtId).sort();
      expect(ids).toEqual(['room1', 'room2']);
      expect(JSON.parse(text(first))).toEqual(page1);
      const bad = await client.callTool({ name: 'query', arguments: { query: 'SELECT * FROM TWINS' } });
      expect(bad.isError).toBe(true);
      expect(text(bad)).toMatch(/^SqlQueryError \(400\): .*\nQuery: SELECT \* FROM TWINS$/s);
    });

    it('traverses two hops from a twin and gets a twin with its relationships', async () => {
      const client = await httpClient(reader);
      const reached = structured(await client.callTool({ name: 'traverse', arguments: { twin_id: 'site', hops: 2 } }));
      expect((reached.twins as { $dtId: string; distance: number }[]).map((t) => [t.$dtId, t.distance]).sort()).toEqual([['floor', 1], ['room1', 2], ['room2', 2], ['site', 0]]);
      expect((reached.relationships as { $relationshipId: string }[]).map((r) => r.$relationshipId).sort()).toEqual(['c1', 'c2', 'c3']);
      const back = structured(await client.callTool({ name: 'traverse', arguments: { twin_id: 'room2', hops: 3, direction: 'incoming', relationship_name: 'contains' } }));
      expect((back.twins as { $dtId: string }[]).map((t) => t.$dtId).sort()).toEqual(['floor', 'room2', 'site']);
      const twin = structured(await client.callTool({ name: 'get_twin', arguments: { twin_id: 'room1' } }));
      expect(twin).toMatchObject({ twin: { $dtId: 'room1' }, outgoing: [expect.objectContaining({ $relationshipId: 'f1', weight: 0.5 })], incoming: [expect.objectContaining({ $sourceId: 'floor' })] });
      const models = structured(await client.callTool({ name: 'list_models', arguments: {} }));
      expect((models.models as { id: string }[]).map((x) => x.id).sort()).toEqual(m.all.map((x) => x['@id']).sort());
    });

    it('offers the models as resources at their DTMIs', async () => {
      const client = await httpClient(reader);
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri).sort()).toEqual(m.all.map((x) => x['@id']).sort());
      const read = await client.readResource({ uri: m.room['@id'] });
      expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ '@id': m.room['@id'], extends: m.space['@id'] });
    });
  });

  describe('over stdio (dt-mcp)', () => {
    async function stdioClient(token: string): Promise<Client> {
      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(new StdioClientTransport({ command: process.execPath, args: [DT_MCP], env: { PATH: process.env.PATH ?? '', DT_ENDPOINT: system.gatewayUrl, DT_TOKEN: token }, stderr: 'pipe' }));
      clients.push(client);
      return client;
    }

    it('lists tools, queries and traverses with the user\'s token', async () => {
      const client = await stdioClient(reader);
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(READ_TOOLS));
      const rows = structured(await client.callTool({ name: 'query', arguments: { query: "SELECT COUNT() FROM RELATIONSHIPS R WHERE R.$relationshipName = 'contains'" } }));
      expect(rows.rows).toEqual([{ COUNT: 3 }]);
      const reached = structured(await client.callTool({ name: 'traverse', arguments: { twin_id: 'floor', hops: 1 } }));
      expect((reached.twins as { $dtId: string }[]).map((t) => t.$dtId).sort()).toEqual(['floor', 'room1', 'room2']);
    }, 60_000);

    it('passes a reader\'s write to the gateway, which refuses it', async () => {
      const client = await stdioClient(reader);
      const refused = await client.callTool({ name: 'delete_relationship', arguments: { source_id: 'room1', relationship_id: 'f1' } });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/^Forbidden \(403\): .*digitaltwins\/relationships\/delete/);
    }, 60_000);
  });
});
