import type { ErrorCode, ErrorDetail } from './errors';

/**
 * One operation of an atomic graph batch (`POST /batch`, `odt.graph.batch`). Each carries the
 * same preconditions as its single-operation API (`ifMatch`, and `ifNoneMatch: "*"` for puts).
 */
export type BatchOperation =
  | { op: 'putTwin'; twinId: string; twin: unknown; ifMatch?: string; ifNoneMatch?: string }
  | { op: 'patchTwin'; twinId: string; patch: unknown; ifMatch?: string }
  | { op: 'deleteTwin'; twinId: string; ifMatch?: string }
  | { op: 'putRelationship'; twinId: string; relationshipId: string; relationship: unknown; ifMatch?: string; ifNoneMatch?: string }
  | { op: 'patchRelationship'; twinId: string; relationshipId: string; patch: unknown; ifMatch?: string }
  | { op: 'deleteRelationship'; twinId: string; relationshipId: string; ifMatch?: string };

export type BatchOperationKind = BatchOperation['op'];

/** The body of `POST /batch` as sent; the twins service checks its shape. */
export interface GraphBatchRequest {
  operations: unknown;
}

/** What one applied operation left: the new ETag (absent for deletes). */
export interface BatchOperationResult {
  op: BatchOperationKind;
  twinId: string;
  relationshipId?: string;
  etag?: string;
}

export interface GraphBatchReply {
  results: BatchOperationResult[];
}

/** `DELETE /digitaltwins/{id}?cascade=true`. */
export interface DeleteTwinCascadeRequest {
  id: string;
  ifMatch?: string;
}

export interface DeleteTwinCascadeReply {
  /** Outgoing and incoming relationships deleted with the twin. */
  relationshipsDeleted: number;
}

/**
 * One twin patch of `odt.twins.patch-many` (the connectors' write path). `createModel`: when the
 * twin does not exist, create it of that model (components empty) and apply the patch to it.
 */
export interface PatchManyItem {
  id: string;
  patch: unknown;
  ifMatch?: string;
  createModel?: string;
}

/** Many twin patches in one transaction; unlike `odt.graph.batch` each item succeeds or fails on its own. */
export interface PatchManyRequest {
  items: PatchManyItem[];
}

export type PatchManyItemResult =
  | { etag: string; created?: true }
  | { error: { code: ErrorCode; message: string; details?: ErrorDetail[] } };

/** One result per item, in request order. */
export interface PatchManyReply {
  results: PatchManyItemResult[];
}
