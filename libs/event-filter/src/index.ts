export type * from './ast';
export { compileEventFilter } from './compile-event-filter';
export { ENVELOPE_ATTRIBUTES, type CloudEventLike, type EnvelopeAttribute, type EventFilter } from './event';
export { EventFilterError } from './event-filter-error';
export { LEGACY_EVENT_TYPES } from './legacy-event-types';
export { EVENT_FILTER_LIMITS } from './limits';
export { parseEventFilter } from './parser';
