import type { ListPage } from './relationships';
import type { PatchOperation } from './events';

/** Where a connection's messages come from (docs/connections.md). Secrets never appear in a read. */
export type ConnectionSource =
  | { type: 'mqtt'; url: string; topic: string; username?: string }
  | { type: 'amqp'; url: string; queue: string; username?: string }
  | { type: 'nats'; subject: string }
  | { type: 'http' };

export type ConnectionSourceType = ConnectionSource['type'];

/** A connection as the API shows it. */
export interface Connection {
  name: string;
  source: ConnectionSource;
  /** JSONata: from `{topic, headers, payload, receivedAt}` to operations. */
  mapping: string;
  enabled: boolean;
  /** A password is set (write-only: `source.password` in a PUT, never shown). */
  hasSecret?: boolean;
}

/** A message as a mapping sees it. */
export interface ConnectionEnvelope {
  topic: string;
  headers: Record<string, string>;
  payload: unknown;
  /** ISO 8601, when the connector received it. */
  receivedAt: string;
}

/** One operation a mapping produced, normalised. */
export type MappedOperation =
  | { kind: 'patch'; twinId: string; patch: PatchOperation[]; createModel?: string }
  | { kind: 'telemetry'; twinId: string; component?: string; messageId?: string; sourceTime?: string; telemetry: unknown };

export interface PutConnectionRequest {
  name: string;
  connection: unknown;
}

export interface ConnectionNameRequest {
  name: string;
}

export interface ListConnectionsRequest {
  maxItemsPerPage: number;
  cursor?: string;
}

export type ListConnectionsReply = ListPage<Connection>;

/** `POST /connections/{name}/test`: a sample message, and optionally a mapping to try instead of the saved one. */
export interface TestConnectionRequest {
  name: string;
  sample: unknown;
}

export interface TestConnectionReply {
  envelope: ConnectionEnvelope;
  operations: MappedOperation[];
}

/** `POST /connections/{name}/messages` (http sources): one payload or several. */
export interface SendConnectionMessagesRequest {
  name: string;
  messages: unknown[];
  headers: Record<string, string>;
}

export interface SendConnectionMessagesReply {
  accepted: number;
}

export interface ConnectionDeadLettersRequest {
  name: string;
  maxItemsPerPage: number;
}

/** A message the connection could not apply, with why. */
export interface ConnectionDeadLetter {
  id: number;
  /** `map`: the mapping failed or produced something invalid; `apply`: a twin write was refused. */
  stage: 'decode' | 'map' | 'apply';
  code: string;
  reason: string;
  /** Character offset in the mapping, for JSONata errors. */
  position?: number;
  attempts: number;
  firstSeen: string;
  lastSeen: string;
  message: ConnectionEnvelope;
}

export interface ConnectionReplayReply {
  replayed: number;
  remaining: number;
}
