import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ApiError, type DigitalTwinsApi, type JsonPatchOperation, type Relationship } from '@odt/client';
import { INSTRUCTIONS, QUERY_GUIDE } from './query-guide';

export interface ServerOptions {
  /** Whether the caller may write (its roles grant write data actions): only then are write tools offered. */
  canWrite: boolean;
  /** The instance's model ids, named in the query tool's description so an agent can use them at once. */
  modelIds: string[];
  version: string;
}

const MAX_MODEL_NAMES = 60;
const READ = { readOnlyHint: true, openWorldHint: false } as const;

/** A tool's result: the value as structured content and as JSON text (for clients that read only text). */
function ok(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** API errors come back as tool errors with ADT's code, so an agent can correct its call. */
async function run(call: () => Promise<Record<string, unknown>>, context?: string): Promise<CallToolResult> {
  try {
    return ok(sanitise(await call()) as Record<string, unknown>);
  } catch (err) {
    const text = err instanceof ApiError ? `${err.code} (${err.status}): ${err.message}` : err instanceof Error ? err.message : String(err);
    return { isError: true, content: [{ type: 'text', text: context ? `${text}\n${context}` : text }] };
  }
}

/** Long numeric arrays (embeddings) cost tokens and tell an agent nothing: summarised. */
function sanitise(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length > 128 && value.every((v) => typeof v === 'number')) return `[${value.length} numbers omitted]`;
    return value.map(sanitise);
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitise(v)]));
  return value;
}

export function createMcpServer(api: DigitalTwinsApi, options: ServerOptions): McpServer {
  const server = new McpServer({ name: 'open-digital-twins', version: options.version }, { instructions: INSTRUCTIONS, capabilities: { resources: {} } });
  const names = options.modelIds.slice(0, MAX_MODEL_NAMES);
  const modelList = names.length === 0 ? 'This instance has no models yet.' : `Models of this instance${options.modelIds.length > names.length ? ` (first ${names.length} of ${options.modelIds.length}; list_models gives all)` : ''}: ${names.join(', ')}.`;

  server.registerTool('list_models', {
    title: 'List models',
    description: 'Lists the DTDL models (twin types) of the instance: id, display name, description, decommissioned. Use get_model for a model\'s contents.',
    inputSchema: { dependencies_for: z.array(z.string()).optional().describe('Only these models and the models they depend on.') },
    annotations: READ,
  }, async ({ dependencies_for }) => run(async () => {
    const models = await api.models.list(dependencies_for ? { dependenciesFor: dependencies_for } : {}).toArray();
    return { models: models.map((m) => ({ id: m.id, displayName: m.displayName?.en ?? Object.values(m.displayName ?? {})[0], description: m.description?.en ?? Object.values(m.description ?? {})[0], decommissioned: m.decommissioned })) };
  }));

  server.registerTool('get_model', {
    title: 'Get a model',
    description: 'A model\'s DTDL definition: its properties, relationships (with their target models), components and the model it extends.',
    inputSchema: { model_id: z.string().describe('The DTMI, e.g. dtmi:example:Room;1') },
    annotations: READ,
  }, async ({ model_id }) => run(async () => ({ ...(await api.models.get(model_id, { includeModelDefinition: true })) })));

  server.registerTool('query', {
    title: 'Query the twin graph',
    description: `${QUERY_GUIDE}\n${modelList}`,
    inputSchema: {
      query: z.string().optional().describe('The query (omit when continuing with continuation_token).'),
      continuation_token: z.string().optional().describe('From a previous call: the next page of the same query.'),
      max_rows: z.number().int().min(1).max(1000).default(100).describe('Rows per page (default 100).'),
    },
    annotations: READ,
  }, async ({ query, continuation_token, max_rows }) => run(async () => {
    if (!query && !continuation_token) throw new Error('Give a query (or a continuation_token from a previous call).');
    const pages = api.query(query ?? '', { maxItemsPerPage: max_rows }).byPage(continuation_token ? { continuationToken: continuation_token } : {});
    const { value: page } = await pages.next();
    const rows = page?.value ?? [];
    return { rows, count: rows.length, continuation_token: page?.continuationToken ?? null, more: Boolean(page?.continuationToken) };
  }, query ? `Query: ${query}` : undefined));

  server.registerTool('get_twin', {
    title: 'Get a twin with its relationships',
    description: 'A twin (properties, $metadata.$model, $etag) with its outgoing relationships and the relationships pointing at it.',
    inputSchema: {
      twin_id: z.string().describe('The twin\'s $dtId.'),
      as_of: z.string().optional().describe('An ISO 8601 moment: the twin as it was then.'),
      max_relationships: z.number().int().min(0).max(1000).default(100),
    },
    annotations: READ,
  }, async ({ twin_id, as_of, max_relationships }) => run(async () => {
    const asOf = as_of ? { asOf: as_of } : {};
    const [twin, outgoing, incoming] = await Promise.all([
      api.twins.get(twin_id, asOf),
      api.relationships.list(twin_id, asOf).toArray({ maxItems: max_relationships }),
      as_of ? Promise.resolve([]) : api.relationships.listIncoming(twin_id).toArray({ maxItems: max_relationships }),
    ]);
    return { twin, outgoing, incoming };
  }));

  server.registerTool('list_relationships', {
    title: 'List relationships',
    description: 'A twin\'s relationships: outgoing (with properties and $targetId) or incoming (with $sourceId), optionally of one name.',
    inputSchema: {
      twin_id: z.string(),
      direction: z.enum(['outgoing', 'incoming']).default('outgoing'),
      relationship_name: z.string().optional(),
      max_items: z.number().int().min(1).max(1000).default(100),
    },
    annotations: READ,
  }, async ({ twin_id, direction, relationship_name, max_items }) => run(async () => {
    if (direction === 'incoming') {
      const all = await api.relationships.listIncoming(twin_id).toArray();
      return { relationships: all.filter((r) => !relationship_name || r.$relationshipName === relationship_name).slice(0, max_items) };
    }
    return { relationships: await api.relationships.list(twin_id, relationship_name ? { relationshipName: relationship_name } : {}).toArray({ maxItems: max_items }) };
  }));

  server.registerTool('traverse', {
    title: 'Traverse the graph',
    description: 'The neighbourhood of a twin up to N hops (breadth first): the twins reached (id, model, distance) and the relationships followed.',
    inputSchema: {
      twin_id: z.string(),
      hops: z.number().int().min(1).max(3).default(1),
      direction: z.enum(['outgoing', 'incoming', 'both']).default('outgoing'),
      relationship_name: z.string().optional().describe('Follow only relationships of this name.'),
      limit: z.number().int().min(1).max(500).default(100).describe('The most twins to return.'),
    },
    annotations: READ,
  }, async (args) => run(async () => traverse(api, args)));

  server.registerTool('property_history', {
    title: 'Property history',
    description: 'A twin property\'s values over time (newest first with last_n), or aggregated in buckets (aggregate + interval, ISO 8601 duration such as PT1H).',
    inputSchema: {
      twin_id: z.string(),
      property: z.string().optional().describe('A property (temperature) or a component\'s (thermostat/setPoint); all when absent.'),
      from: z.string().optional(),
      to: z.string().optional(),
      last_n: z.number().int().min(1).max(1000).optional(),
      aggregate: z.enum(['avg', 'min', 'max', 'count', 'first', 'last']).optional(),
      interval: z.string().optional(),
      max_items: z.number().int().min(1).max(1000).default(200),
    },
    annotations: READ,
  }, async (a) => run(async () => ({
    values: await api.twins.history(a.twin_id, { ...(a.property ? { property: a.property } : {}), ...(a.from ? { from: a.from } : {}), ...(a.to ? { to: a.to } : {}), ...(a.last_n ? { lastN: a.last_n } : {}), ...(a.aggregate ? { aggregate: a.aggregate } : {}), ...(a.interval ? { interval: a.interval } : {}) }).toArray({ maxItems: a.max_items }),
  })));

  if (options.canWrite) registerWriteTools(server, api);

  server.registerResource('model', new ResourceTemplate('dtmi:{id}', {
    list: async () => ({ resources: (await api.models.list().toArray()).map((m) => ({ uri: m.id, name: m.id, title: m.displayName?.en ?? m.id, mimeType: 'application/json' })) }),
  }), { title: 'DTDL models', description: 'Each model of the instance, its DTDL definition at its DTMI.', mimeType: 'application/json' }, async (uri) => {
    const model = await api.models.get(uri.href.startsWith('dtmi:') ? decodeURIComponent(uri.href) : uri.href, { includeModelDefinition: true });
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(model.model ?? model, null, 2) }] };
  });
  return server;
}

function registerWriteTools(server: McpServer, api: DigitalTwinsApi): void {
  const patchOp = z.object({ op: z.enum(['add', 'replace', 'remove']), path: z.string(), value: z.unknown().optional() });
  server.registerTool('create_or_replace_twin', {
    title: 'Create or replace a twin',
    description: 'Creates a twin of a model, or replaces it entirely if it exists. Properties must match the model (get_model).',
    inputSchema: { twin_id: z.string(), model_id: z.string(), properties: z.record(z.unknown()).default({}), create_only: z.boolean().default(false).describe('Fail if the twin exists.') },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  }, async ({ twin_id, model_id, properties, create_only }) => run(async () => ({
    twin: await api.twins.upsert(twin_id, { ...properties, $metadata: { ...((properties.$metadata as object | undefined) ?? {}), $model: model_id } }, create_only ? { ifNoneMatch: '*' } : {}),
  })));
  server.registerTool('update_twin', {
    title: 'Update a twin',
    description: 'Changes a twin\'s properties with JSON Patch (op add/replace/remove, path /property or /component/property). With if_match (the $etag read before) it fails if the twin changed since.',
    inputSchema: { twin_id: z.string(), patch: z.array(patchOp).min(1), if_match: z.string().optional() },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  }, async ({ twin_id, patch, if_match }) => run(async () => {
    await api.twins.update(twin_id, patch as JsonPatchOperation[], if_match ? { ifMatch: if_match } : {});
    return { twin: await api.twins.get(twin_id) };
  }));
  server.registerTool('delete_twin', {
    title: 'Delete a twin',
    description: 'Deletes a twin. It must have no relationships left (delete them first with delete_relationship).',
    inputSchema: { twin_id: z.string(), if_match: z.string().optional() },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  }, async ({ twin_id, if_match }) => run(async () => {
    await api.twins.delete(twin_id, if_match ? { ifMatch: if_match } : {});
    return { deleted: twin_id };
  }));
  server.registerTool('create_or_replace_relationship', {
    title: 'Create or replace a relationship',
    description: 'A relationship from a twin to another, of a relationship name its model declares (get_model).',
    inputSchema: { source_id: z.string(), relationship_id: z.string(), target_id: z.string(), relationship_name: z.string(), properties: z.record(z.unknown()).default({}) },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  }, async (a) => run(async () => ({
    relationship: await api.relationships.upsert(a.source_id, a.relationship_id, { ...a.properties, $targetId: a.target_id, $relationshipName: a.relationship_name }),
  })));
  server.registerTool('delete_relationship', {
    title: 'Delete a relationship',
    description: 'Deletes one relationship of a twin.',
    inputSchema: { source_id: z.string(), relationship_id: z.string() },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  }, async ({ source_id, relationship_id }) => run(async () => {
    await api.relationships.delete(source_id, relationship_id);
    return { deleted: { source_id, relationship_id } };
  }));
}

interface TraverseArgs {
  twin_id: string;
  hops: number;
  direction: 'outgoing' | 'incoming' | 'both';
  relationship_name?: string | undefined;
  limit: number;
}

/** Breadth first over the relationship listings, stopping at `hops` or `limit` twins. */
export async function traverse(api: DigitalTwinsApi, a: TraverseArgs): Promise<Record<string, unknown>> {
  const start = await api.twins.get(a.twin_id);
  const twins = new Map<string, { $dtId: string; $model: string; distance: number }>([[a.twin_id, { $dtId: a.twin_id, $model: start.$metadata.$model, distance: 0 }]]);
  const edges: { $relationshipId: string; $sourceId: string; $relationshipName: string; $targetId: string }[] = [];
  const seenEdges = new Set<string>();
  let frontier = [a.twin_id];
  let truncated = false;
  for (let hop = 1; hop <= a.hops && frontier.length > 0 && !truncated; hop++) {
    const next: string[] = [];
    for (const id of frontier) {
      const found: { rel: Pick<Relationship, '$relationshipId' | '$sourceId' | '$relationshipName' | '$targetId'>; other: string }[] = [];
      if (a.direction !== 'incoming') {
        for await (const r of api.relationships.list(id, a.relationship_name ? { relationshipName: a.relationship_name } : {})) found.push({ rel: r, other: r.$targetId });
      }
      if (a.direction !== 'outgoing') {
        for await (const r of api.relationships.listIncoming(id)) {
          if (a.relationship_name && r.$relationshipName !== a.relationship_name) continue;
          found.push({ rel: { $relationshipId: r.$relationshipId, $sourceId: r.$sourceId, $relationshipName: r.$relationshipName, $targetId: id }, other: r.$sourceId });
        }
      }
      for (const { rel, other } of found) {
        const key = `${rel.$sourceId}\u0000${rel.$relationshipId}`;
        if (!twins.has(other)) {
          if (twins.size >= a.limit) { truncated = true; continue; }
          const twin = await api.twins.get(other).catch(() => undefined);
          twins.set(other, { $dtId: other, $model: twin?.$metadata.$model ?? 'unknown', distance: hop });
          next.push(other);
        }
        if (!seenEdges.has(key)) {
          seenEdges.add(key);
          edges.push({ $relationshipId: rel.$relationshipId, $sourceId: rel.$sourceId, $relationshipName: rel.$relationshipName, $targetId: rel.$targetId });
        }
      }
    }
    frontier = next;
  }
  return { start: a.twin_id, twins: [...twins.values()], relationships: edges, truncated };
}
