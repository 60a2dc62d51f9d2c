export interface TwinMetadata {
  $model: string;
  $lastUpdateTime?: string;
  [property: string]: unknown;
}

/** A twin exactly as ADT returns it: properties at the top level, system fields with `$`. */
export interface DigitalTwin {
  $dtId: string;
  $etag: string;
  $metadata: TwinMetadata;
  [property: string]: unknown;
}

export interface GetTwinRequest {
  id: string;
}

export interface UpsertTwinRequest {
  id: string;
  twin: unknown;
  /** Raw `If-None-Match` header value, validated by the service. */
  ifNoneMatch?: string;
}

export interface PatchTwinRequest {
  id: string;
  patch: unknown;
  /** Raw `If-Match` header value. */
  ifMatch?: string;
}

export interface PatchTwinReply {
  etag: string;
}

export interface DeleteTwinRequest {
  id: string;
  ifMatch?: string;
}

export interface GetComponentRequest {
  id: string;
  component: string;
}

/** A component with the ETag of its twin (ADT returns the twin's ETag for component reads). */
export interface GetComponentReply {
  etag: string;
  component: Record<string, unknown>;
}

export interface PatchComponentRequest {
  id: string;
  component: string;
  patch: unknown;
  ifMatch?: string;
}

export interface PublishTelemetryRequest {
  id: string;
  /** Component name, absent for twin-level telemetry. */
  component?: string;
  messageId: string;
  /** `Telemetry-Source-Time` header, when given. */
  sourceTime?: string;
  payload: unknown;
}
