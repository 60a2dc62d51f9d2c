import { call, listAll, withVersion } from './http';

export interface Twin {
  $dtId: string;
  $etag?: string;
  $metadata: { $model: string; [key: string]: unknown };
  [property: string]: unknown;
}

export interface Relationship {
  $relationshipId: string;
  $sourceId: string;
  $targetId: string;
  $relationshipName: string;
  $etag?: string;
  [property: string]: unknown;
}

export interface ModelData {
  id: string;
  model?: Record<string, unknown>;
  decommissioned?: boolean;
  uploadTime?: string;
  displayName?: Record<string, string>;
}

export type PatchOp = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

const enc = encodeURIComponent;

export const adt = {
  listModels: () => listAll<ModelData>(withVersion('/models', { includeModelDefinition: 'true' })),
  addModels: (models: unknown[]) => call<ModelData[]>('POST', '/models', models),
  decommissionModel: (id: string) => call('PATCH', `/models/${enc(id)}`, [{ op: 'replace', path: '/decommissioned', value: true }], { 'content-type': 'application/json-patch+json' }),
  deleteModel: (id: string) => call('DELETE', `/models/${enc(id)}`),

  getTwin: (id: string) => call<Twin>('GET', `/digitaltwins/${enc(id)}`),
  putTwin: (id: string, twin: Partial<Twin>, ifNoneMatch = false) => call<Twin>('PUT', `/digitaltwins/${enc(id)}`, twin, ifNoneMatch ? { 'if-none-match': '*' } : {}),
  patchTwin: (id: string, patch: PatchOp[], etag?: string) => call('PATCH', `/digitaltwins/${enc(id)}`, patch, { 'content-type': 'application/json-patch+json', ...(etag ? { 'if-match': etag } : {}) }),
  deleteTwin: (id: string) => call('DELETE', `/digitaltwins/${enc(id)}`),

  getRelationship: (id: string, relId: string) => call<Relationship>('GET', `/digitaltwins/${enc(id)}/relationships/${enc(relId)}`),
  putRelationship: (id: string, relId: string, rel: Partial<Relationship>) => call<Relationship>('PUT', `/digitaltwins/${enc(id)}/relationships/${enc(relId)}`, rel),
  patchRelationship: (id: string, relId: string, patch: PatchOp[], etag?: string) => call('PATCH', `/digitaltwins/${enc(id)}/relationships/${enc(relId)}`, patch, { 'content-type': 'application/json-patch+json', ...(etag ? { 'if-match': etag } : {}) }),
  deleteRelationship: (id: string, relId: string) => call('DELETE', `/digitaltwins/${enc(id)}/relationships/${enc(relId)}`),
  listRelationships: (id: string) => listAll<Relationship>(`/digitaltwins/${enc(id)}/relationships`),
  listIncoming: (id: string) => listAll<{ $relationshipId: string; $sourceId: string; $relationshipName: string }>(`/digitaltwins/${enc(id)}/incomingrelationships`),

  /** One page of a query; `asOf` reads the graph as it was then (history service). */
  queryPage: (query: string | undefined, continuationToken?: string, asOf?: string) =>
    call<{ value: Record<string, unknown>[]; continuationToken?: string | null }>('POST', withVersion('/query', { asOf }), continuationToken ? { continuationToken } : { query }),

  history: (id: string, property?: string) => call<{ value: { key: string; value: unknown; time: string }[] }>('GET', withVersion(`/digitaltwins/${enc(id)}/history`, { property, 'max-items-per-page': '200' })),

  listRoutes: () => listAll<{ id: string; endpointName: string; filter: string }>('/eventroutes'),
  putRoute: (id: string, endpointName: string, filter: string) => call('PUT', `/eventroutes/${enc(id)}`, { endpointName, filter }),
  deleteRoute: (id: string) => call('DELETE', `/eventroutes/${enc(id)}`),
  listEndpoints: () => listAll<Record<string, unknown> & { name: string; kind?: string }>('/endpoints'),
  putEndpoint: (name: string, endpoint: Record<string, unknown>) => call('PUT', `/endpoints/${enc(name)}`, endpoint),
  deleteEndpoint: (name: string) => call('DELETE', `/endpoints/${enc(name)}`),
  deadLetters: (name: string) => call<{ value: Record<string, unknown>[] }>('GET', `/endpoints/${enc(name)}/deadletters`),
  replayDeadLetters: (name: string) => call<{ replayed: number; remaining: number }>('POST', `/endpoints/${enc(name)}/deadletters/replay`),
  streamTicket: () => call<{ ticket: string }>('POST', '/events/tickets'),
};
