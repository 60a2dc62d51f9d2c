import type { AggregatedValue, ConnectionDeadLetter, TestConnectionReply, DeadLetterView, DigitalTwin, Endpoint, EventRoute, IncomingRelationship, ModelData, PropertyValue, Relationship } from '@odt/contracts';

export type { AggregatedValue, DeadLetterView, DigitalTwin, Endpoint, EventRoute, IncomingRelationship, ModelData, PropertyValue, Relationship };

/** One JSON Patch operation (RFC 6902), as ADT takes it. */
/** The API's own shapes (libs/contracts): what `POST /connections/{name}/test` and the dead-letter list answer. */
export type { ConnectionDeadLetter, TestConnectionReply as ConnectionTestResult };

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** An ETag, or the entity that carries it (`$etag`), or `*` (any version). */
export type ETagLike = string | { $etag: string };

/** The `If-Match` value of an ETag or an entity read before: write only if nobody changed it since. */
export function ifMatch(etag: ETagLike): string {
  return typeof etag === 'string' ? etag : etag.$etag;
}

/** ADT's ImportJob (reference: adt-api.md §2 rows 25–29). */
export interface ImportJob {
  id: string;
  inputBlobUri?: string;
  outputBlobUri?: string;
  status: 'notstarted' | 'running' | 'failed' | 'succeeded' | 'cancelling' | 'cancelled' | (string & {});
  createdDateTime?: string;
  lastActionDateTime?: string;
  finishedDateTime?: string;
  purgeDateTime?: string;
  error?: { code: string; message: string };
  [extension: string]: unknown;
}

/** ADT's DeleteJob. */
export interface DeleteJob {
  id: string;
  status: 'notstarted' | 'running' | 'failed' | 'succeeded' | (string & {});
  createdDateTime?: string;
  finishedDateTime?: string;
  purgeDateTime?: string;
  error?: { code: string; message: string };
  [extension: string]: unknown;
}

/** Ours: an export of the graph (all of it, or what a query selects) in the import file's format. */
export interface ExportJob {
  id: string;
  status: string;
  query?: string;
  outputBlobUri?: string;
  [field: string]: unknown;
}

/** Ours: a connection feeding twins from a broker or HTTP (issue 15). */
export interface Connection {
  name?: string;
  source: { type: 'mqtt' | 'amqp' | 'nats' | 'http'; [setting: string]: unknown };
  mapping: string;
  [field: string]: unknown;
}

/** One operation of `POST /batch` (ours): all are applied or none (docs/twins.md#batches). */
export type BatchOperation =
  | { op: 'putTwin'; twinId: string; twin: Record<string, unknown>; ifNoneMatch?: '*'; ifMatch?: string }
  | { op: 'patchTwin'; twinId: string; patch: JsonPatchOperation[]; ifMatch?: string }
  | { op: 'deleteTwin'; twinId: string; ifMatch?: string }
  | { op: 'putRelationship'; twinId: string; relationshipId: string; relationship: Record<string, unknown>; ifNoneMatch?: '*'; ifMatch?: string }
  | { op: 'patchRelationship'; twinId: string; relationshipId: string; patch: JsonPatchOperation[]; ifMatch?: string }
  | { op: 'deleteRelationship'; twinId: string; relationshipId: string; ifMatch?: string };

/** What `POST /batch` answers: one result per operation, in order. */
export interface BatchResult {
  results: { op: BatchOperation['op']; twinId: string; relationshipId?: string; etag?: string }[];
}

/** A sample message for `POST /connections/{name}/test`; `mapping` tries another expression than the saved one. */
export interface ConnectionTestMessage {
  payload: unknown;
  topic?: string;
  headers?: Record<string, string>;
  mapping?: string;
}


/** One Server-Sent Event of the live stream: `data` is the CloudEvent. */
export interface StreamEvent {
  id?: string;
  event: string;
  data: unknown;
}
