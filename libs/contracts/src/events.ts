/** CloudEvent types, exactly as ADT emits them (reference §5.1). */
export const EventTypes = {
  TwinCreate: 'Microsoft.DigitalTwins.Twin.Create',
  TwinUpdate: 'Microsoft.DigitalTwins.Twin.Update',
  TwinDelete: 'Microsoft.DigitalTwins.Twin.Delete',
  RelationshipCreate: 'Microsoft.DigitalTwins.Relationship.Create',
  RelationshipUpdate: 'Microsoft.DigitalTwins.Relationship.Update',
  RelationshipDelete: 'Microsoft.DigitalTwins.Relationship.Delete',
  Telemetry: 'microsoft.iot.telemetry',
} as const;

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** JetStream subject of each event type; the stream captures `<prefix>.>`. */
const subjectTokens: Record<EventType, string> = {
  [EventTypes.TwinCreate]: 'twin.create',
  [EventTypes.TwinUpdate]: 'twin.update',
  [EventTypes.TwinDelete]: 'twin.delete',
  [EventTypes.RelationshipCreate]: 'relationship.create',
  [EventTypes.RelationshipUpdate]: 'relationship.update',
  [EventTypes.RelationshipDelete]: 'relationship.delete',
  [EventTypes.Telemetry]: 'telemetry',
};

export const DEFAULT_EVENTS_STREAM = 'DT_EVENTS';
export const DEFAULT_EVENTS_SUBJECT_PREFIX = 'dt.events';

export function eventSubject(prefix: string, type: EventType): string {
  return `${prefix}.${subjectTokens[type]}`;
}

/** A JSON Patch operation as carried in Update events. */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** Body of `Twin.Update` / `Relationship.Update`. */
export interface UpdateEventData {
  modelId: string;
  patch: PatchOperation[];
}

/** The CloudEvents 1.0 envelope in structured JSON form, as stored in the outbox and published. */
export interface DigitalTwinsEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: EventType;
  /** Absent only for twin-level telemetry (ADT sends an empty one; CloudEvents forbids `""`). */
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  traceparent?: string;
  /** Extension attribute of telemetry events: the caller's `Telemetry-Source-Time`. */
  telemetrysourcetime?: string;
  data: T;
}

/**
 * CloudEvents extension attribute of `Twin.Update` and `Relationship.Update` events (ours): the
 * ETag after the change, so a downstream subscriber (the history service) knows every version's ETag.
 */
export const ETAG_EXTENSION = 'etag';

/**
 * The JetStream KV bucket where each outbox relay announces its watermark. Its subjects are
 * outside the events' (`$KV.<bucket>.>`), so the router, the live stream and user subscribers
 * never see them.
 */
export function watermarkBucket(stream: string): string {
  return `${stream}_WATERMARKS`;
}

/**
 * A relay's promise, under the key of its outbox (`twins`, `relationships`): every event of this
 * outbox with `time` earlier than `time` is in the stream at a sequence ≤ `seq`.
 */
export interface OutboxWatermark {
  time: string;
  seq: number;
}
