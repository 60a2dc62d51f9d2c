import type { QueryRequest } from './query';

/** A moment of the past, ISO 8601 (RFC 3339) as the client sent it (`asOf`, `at-historical-timestamp`). */
export type AsOf = string;

export interface HistoryTwinRequest {
  id: string;
  asOf: AsOf;
}

export interface HistoryRelationshipRequest {
  sourceId: string;
  relationshipId: string;
  asOf: AsOf;
}

export interface HistoryRelationshipsRequest {
  twinId: string;
  relationshipName?: string;
  asOf: AsOf;
  maxItemsPerPage: number;
  cursor?: string;
}

export const HISTORY_AGGREGATES = ['avg', 'min', 'max', 'count', 'first', 'last'] as const;
export type HistoryAggregate = (typeof HISTORY_AGGREGATES)[number];

/** `GET /digitaltwins/{id}/history`: a property's values over time, raw or bucketed. */
export interface PropertyHistoryRequest {
  twinId: string;
  /** A top-level property (`temperature`) or a component's (`thermostat/setPoint`); every key when absent. */
  property?: string;
  from?: string;
  to?: string;
  /** The last n values (newest first), instead of from `from` on. */
  lastN?: number;
  aggregate?: HistoryAggregate;
  /** ISO 8601 duration of an aggregate's buckets (`PT5M`); one bucket over the whole range when absent. */
  interval?: string;
  maxItemsPerPage: number;
  cursor?: string;
}

/** One recorded value: ADT data history's `Key`/`Value` with the event time, model, ETag and caller. */
export interface PropertyValue {
  key: string;
  /** Absent when the property was removed (`action: "delete"`). */
  value?: unknown;
  action: 'update' | 'delete';
  time: string;
  sourceTime?: string;
  modelId: string;
  $etag: string;
  caller?: { authtype: string; authid: string };
}

/** One bucket of an aggregate: `value` is absent when no value of the bucket could be aggregated. */
export interface AggregatedValue {
  key: string;
  from: string;
  to: string;
  aggregate: HistoryAggregate;
  value?: unknown;
  count: number;
}

export interface HistoryPage<T> {
  value: T[];
  nextCursor?: string;
}

/** `POST /query` with `asOf` beside `query`, or the continuation of one. */
export interface HistoryQueryRequest extends QueryRequest {
  asOf?: AsOf;
}

export interface PurgeHistoryRequest {
  twinId: string;
}

export interface PurgeHistoryReply {
  /** Rows deleted: the twin's events and checkpoints, and those of its relationships. */
  deleted: number;
}

/** Replay of change events from history (`GET /events?from=`), oldest first. */
export interface HistoryEventsRequest {
  from: string;
  /** Events strictly after this position (from a previous page). */
  after?: string;
  limit: number;
}

export interface HistoryEventsReply {
  /** Each a CloudEvent as JSON text. */
  events: string[];
  /** Position of the last event returned. */
  last?: string;
  /** The time up to which history is complete: replay beyond it is the live stream's. */
  watermark?: string;
}

/** The prefix of continuation tokens of `asOf` queries: the gateway sends them to the history service. */
export const AS_OF_TOKEN_PREFIX = 'asof.';
