/** A CloudEvents 1.0 event as the router sees it (reference §5.2). */
export interface CloudEventLike {
  type: string;
  source: string;
  subject?: string;
  dataschema?: string;
  datacontenttype?: string;
  specversion: string;
  id: string;
  data: unknown;
  [ext: string]: unknown;
}

/** A compiled route filter: `true` when the event goes to the route's endpoint. */
export type EventFilter = (event: CloudEventLike) => boolean;

/** The envelope attributes a filter may name (reference §5.3, plus `id`). */
export const ENVELOPE_ATTRIBUTES = [
  'type',
  'source',
  'subject',
  'dataschema',
  'datacontenttype',
  'specversion',
  'id',
] as const;

export type EnvelopeAttribute = (typeof ENVELOPE_ATTRIBUTES)[number];
