import type { DtdlSchema, FlattenedInterface } from './flattened';

/** ADT's `DigitalTwinsModelData`. */
export interface ModelData {
  id: string;
  displayName?: Record<string, string>;
  description: Record<string, string>;
  /** ISO 8601 with a `+00:00` offset and 7 fractional digits, as ADT prints it. */
  uploadTime: string;
  decommissioned: boolean;
  /** The DTDL document, only with `includeModelDefinition=true`. */
  model?: Record<string, unknown>;
}

export interface CreateModelsRequest {
  models: unknown[];
}

export interface ListModelsRequest {
  dependenciesFor?: string[];
  includeModelDefinition: boolean;
  maxItemsPerPage: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

export interface ListModelsReply {
  value: ModelData[];
  /** Cursor of the next page, absent on the last one. */
  nextCursor?: string;
}

export interface GetModelRequest {
  id: string;
  includeModelDefinition: boolean;
}

export interface DecommissionModelRequest {
  id: string;
  patch: unknown;
}

export interface DeleteModelRequest {
  id: string;
}

export interface GetFlattenedRequest {
  ids: string[];
}

/** What the twins and relationships services need to validate instances, without the parser. */
export interface FlattenedModelInfo {
  id: string;
  decommissioned: boolean;
  flattened: FlattenedInterface;
}

export interface GetFlattenedReply {
  models: FlattenedModelInfo[];
}

/** Core-NATS notification (not durable) that a model changed, so caches can drop it. */
export interface ModelChangedNotice {
  id: string;
  change: 'created' | 'decommissioned' | 'deleted';
}

export type { DtdlSchema, FlattenedInterface };
