import { ETAG_EXTENSION, EventTypes, type DigitalTwinsEvent, type UpdateEventData } from '@odt/contracts';
import { decodePointerToken } from '@odt/graph-domain';
import { applyOperation, type Operation } from 'fast-json-patch';
import { alreadyApplied, callerOf, etagUuid, type Applied, type CallerRef, type Json } from './twin-history';

export interface RelationshipState {
  ts: string;
  eventId: string;
  etag: string;
  name: string;
  targetId: string;
  /** null: deleted. */
  properties: Json | null;
}

export interface RelationshipEventRow {
  sourceId: string;
  relationshipId: string;
  ts: string;
  eventId: string;
  kind: 'c' | 'u' | 'd';
  etag: string;
  name: string;
  targetId: string;
  caller?: CallerRef;
  /** Create: every property. Update: the new value of each changed property. */
  changes: Json | null;
  removed: string[] | null;
}

/** `<source>/relationships/<relationship>` (ADT's subject of relationship events). */
export function relationshipKeyOf(subject: string | undefined): { sourceId: string; relationshipId: string } | undefined {
  const at = subject?.indexOf('/relationships/') ?? -1;
  if (!subject || at < 0) return undefined;
  return { sourceId: subject.slice(0, at), relationshipId: subject.slice(at + '/relationships/'.length) };
}

const SYSTEM = new Set(['$relationshipId', '$etag', '$sourceId', '$relationshipName', '$targetId']);

export function applyRelationshipEvent(state: RelationshipState | undefined, event: DigitalTwinsEvent): Applied<RelationshipEventRow, RelationshipState> {
  const key = relationshipKeyOf(event.subject);
  if (!key) return { skipped: 'unreadable' };
  const skip = alreadyApplied(state, event);
  if (skip) return { skipped: skip };
  const base = { ...key, ts: event.time, eventId: event.id, caller: callerOf(event) };
  switch (event.type) {
    case EventTypes.RelationshipCreate:
    case EventTypes.RelationshipDelete: {
      const data = event.data as Json;
      const properties = Object.fromEntries(Object.entries(data).filter(([k]) => !SYSTEM.has(k)));
      const etag = etagUuid(data.$etag);
      const name = String(data.$relationshipName ?? state?.name ?? '');
      const targetId = String(data.$targetId ?? state?.targetId ?? '');
      const created = event.type === EventTypes.RelationshipCreate;
      const row: RelationshipEventRow = { ...base, kind: created ? 'c' : 'd', etag, name, targetId, changes: created ? properties : null, removed: null };
      return { row, state: { ts: event.time, eventId: event.id, etag, name, targetId, properties: created ? properties : null } };
    }
    case EventTypes.RelationshipUpdate: {
      if (!state?.properties) return { skipped: 'unknown-twin' };
      const { patch } = event.data as UpdateEventData;
      let properties: Json = structuredClone(state.properties);
      let { name, targetId } = state;
      const touched = new Set<string>();
      for (const op of patch) {
        const [first] = op.path.slice(1).split('/').map(decodePointerToken);
        if (first === '$targetId' && typeof op.value === 'string') targetId = op.value;
        else if (first === '$relationshipName' && typeof op.value === 'string') name = op.value;
        else if (!first.startsWith('$')) {
          try {
            properties = applyOperation(properties, op as Operation, false, true).newDocument as Json;
            touched.add(first);
          } catch {
            // Applied by the relationships service; a failure means history's state differs.
          }
        }
      }
      const changes: Json = {};
      const removed: string[] = [];
      for (const k of touched) {
        if (Object.hasOwn(properties, k)) changes[k] = properties[k];
        else removed.push(k);
      }
      const etag = etagUuid((event as unknown as Json)[ETAG_EXTENSION]);
      const row: RelationshipEventRow = { ...base, kind: 'u', etag, name, targetId, changes, removed: removed.length > 0 ? removed : null };
      return { row, state: { ts: event.time, eventId: event.id, etag, name, targetId, properties } };
    }
    default:
      return { skipped: 'unreadable' };
  }
}
