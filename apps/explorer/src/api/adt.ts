import type { ModelData as ContractModelData } from '@odt/contracts';
import { api } from './http';

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

export type ModelData = ContractModelData & { model?: Record<string, unknown> };
export type PatchOp = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

/** The calls the Explorer makes, on @odt/client, in the shapes its panels use. */
export const adt = {
  listModels: () => api.models.list({ includeModelDefinition: true }).toArray() as Promise<ModelData[]>,
  addModels: (models: unknown[]) => api.models.create(models),
  decommissionModel: (id: string) => api.models.decommission(id),
  deleteModel: (id: string) => api.models.delete(id),

  getTwin: (id: string) => api.twins.get(id) as Promise<Twin>,
  putTwin: (id: string, twin: Record<string, unknown>, createOnly = false) => api.twins.upsert(id, twin, createOnly ? { ifNoneMatch: '*' } : {}) as Promise<Twin>,
  patchTwin: (id: string, patch: PatchOp[], etag?: string) => api.twins.update(id, patch, etag ? { ifMatch: etag } : {}),
  deleteTwin: (id: string) => api.twins.delete(id),
  history: (id: string, property?: string) => api.twins.history(id, { property, maxItemsPerPage: 200 }).toArray({ maxItems: 500 }),

  getRelationship: (id: string, relId: string) => api.relationships.get(id, relId) as Promise<Relationship>,
  putRelationship: (id: string, relId: string, rel: Record<string, unknown>) => api.relationships.upsert(id, relId, rel) as Promise<Relationship>,
  patchRelationship: (id: string, relId: string, patch: PatchOp[], etag?: string) => api.relationships.update(id, relId, patch, etag ? { ifMatch: etag } : {}),
  deleteRelationship: (id: string, relId: string) => api.relationships.delete(id, relId),
  listRelationships: (id: string) => api.relationships.list(id).toArray() as Promise<Relationship[]>,
  listIncoming: (id: string) => api.relationships.listIncoming(id).toArray(),

  /** A query's pages; `asOf` reads the graph as it was then (history service). */
  query: (query: string, asOf?: string, maxItemsPerPage = 1000) => api.query(query, { asOf, maxItemsPerPage }).byPage(),

  listRoutes: () => api.eventRoutes.list().toArray(),
  putRoute: (id: string, endpointName: string, filter: string) => api.eventRoutes.upsert(id, { endpointName, filter }),
  deleteRoute: (id: string) => api.eventRoutes.delete(id),
  listEndpoints: () => api.endpoints.list().toArray() as unknown as Promise<(Record<string, unknown> & { name: string })[]>,
  putEndpoint: (name: string, endpoint: Record<string, unknown>) => api.endpoints.upsert(name, endpoint),
  deleteEndpoint: (name: string) => api.endpoints.delete(name),
  deadLetters: (name: string) => api.endpoints.deadLetters(name),
  replayDeadLetters: (name: string) => api.endpoints.replayDeadLetters(name),
  streamTicket: () => api.events.createTicket(),
};
