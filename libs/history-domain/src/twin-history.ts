import { ETAG_EXTENSION, EventTypes, type DigitalTwinsEvent, type PatchOperation, type UpdateEventData } from '@odt/contracts';
import { decodePointerToken } from '@odt/graph-domain';
import { applyOperation, type Operation } from 'fast-json-patch';
import { adtTime } from './as-of';

export type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Who made a change: the event's CloudEvents `authtype` / `authid`. */
export interface CallerRef {
  authtype: string;
  authid: string;
}

/** The last event history applied to a twin, and the twin after it (`document` null: deleted). */
export interface TwinState {
  ts: string;
  eventId: string;
  etag: string;
  model: string;
  document: Json | null;
}

/** One row of `history.twin_events`. */
export interface TwinEventRow {
  twinId: string;
  ts: string;
  eventId: string;
  kind: 'c' | 'u' | 'd';
  etag: string;
  model: string;
  caller?: CallerRef;
  /** Create: the whole document. Update: the new value of each changed top-level key. */
  changes: Json | null;
  removed: string[] | null;
  sourceTimes: Json | null;
}

/**
 * duplicate: the last event applied, again; redelivered: an earlier one (an entity's events are
 * applied in stream order, so it was applied); unknown-twin: an update of something history never
 * saw created (before history began, or forgotten).
 */
export type SkipReason = 'duplicate' | 'redelivered' | 'unknown-twin' | 'unreadable';
export type Applied<R, S> = { row: R; state: S } | { skipped: SkipReason };

/** Events of an entity are applied in order; one at or before the last applied was applied already. */
export function alreadyApplied(state: { ts: string; eventId: string } | undefined, event: DigitalTwinsEvent): SkipReason | undefined {
  if (!state) return undefined;
  if (event.time === state.ts && event.id === state.eventId) return 'duplicate';
  return event.time <= state.ts ? 'redelivered' : undefined;
}

export function callerOf(event: DigitalTwinsEvent): CallerRef | undefined {
  const e = event as unknown as { authtype?: unknown; authid?: unknown };
  return typeof e.authtype === 'string' && typeof e.authid === 'string' ? { authtype: e.authtype, authid: e.authid } : undefined;
}

/** `W/"<uuid>"` → the uuid. Events written before Update events carried an ETag have the nil uuid. */
export function etagUuid(etag: unknown): string {
  const m = typeof etag === 'string' ? /^W\/"([0-9a-f-]{36})"$/i.exec(etag) : null;
  return m ? m[1] : '00000000-0000-0000-0000-000000000000';
}

/**
 * Turns a twin event into its history row and the twin after it. An update's row holds the new
 * value of each top-level key it touched (a property, or a component whole with its `$metadata`),
 * computed from the previous state, so a deep path (`/address/city`) still records the whole
 * new value, as ADT's data history records object properties.
 */
export function applyTwinEvent(state: TwinState | undefined, event: DigitalTwinsEvent): Applied<TwinEventRow, TwinState> {
  const twinId = event.subject ?? '';
  const skip = alreadyApplied(state, event);
  if (skip) return { skipped: skip };
  const base = { twinId, ts: event.time, eventId: event.id, caller: callerOf(event) };
  switch (event.type) {
    case EventTypes.TwinCreate: {
      const { $dtId: _id, $etag, ...document } = event.data as Json;
      const model = (document.$metadata as Json | undefined)?.$model;
      if (typeof model !== 'string') return { skipped: 'unreadable' };
      const etag = etagUuid($etag);
      return { row: { ...base, kind: 'c', etag, model, changes: document, removed: null, sourceTimes: null }, state: { ts: event.time, eventId: event.id, etag, model, document } };
    }
    case EventTypes.TwinDelete: {
      const data = event.data as Json;
      const model = (data.$metadata as Json | undefined)?.$model;
      const etag = etagUuid(data.$etag);
      const row: TwinEventRow = { ...base, kind: 'd', etag, model: typeof model === 'string' ? model : state?.model ?? '', changes: null, removed: null, sourceTimes: null };
      return { row, state: { ts: event.time, eventId: event.id, etag, model: row.model, document: null } };
    }
    case EventTypes.TwinUpdate: {
      if (!state?.document) return { skipped: 'unknown-twin' };
      const { modelId, patch } = event.data as UpdateEventData;
      const etag = etagUuid((event as unknown as Json)[ETAG_EXTENSION]);
      const { document, touched } = applyUpdate(state.document, patch, adtTime(event.time));
      (document.$metadata as Json).$model = modelId;
      const changes: Json = {};
      const sourceTimes: Json = {};
      const removed: string[] = [];
      for (const key of touched) {
        if (!Object.hasOwn(document, key)) {
          removed.push(key);
          continue;
        }
        changes[key] = document[key];
        const sourceTime = ((document.$metadata as Json)[key] as Json | undefined)?.sourceTime;
        if (sourceTime !== undefined) sourceTimes[key] = sourceTime;
      }
      const row: TwinEventRow = {
        ...base, kind: 'u', etag, model: modelId, changes,
        removed: removed.length > 0 ? removed : null,
        sourceTimes: Object.keys(sourceTimes).length > 0 ? sourceTimes : null,
      };
      return { row, state: { ts: event.time, eventId: event.id, etag, model: modelId, document } };
    }
    default:
      return { skipped: 'unreadable' };
  }
}

/**
 * Applies a patch as the twins service did, keeping `$metadata` in step (the time is the event's:
 * the twins service's own clock reading is not in the event), and returns the top-level keys it
 * touched. A component counts as touched whole.
 */
function applyUpdate(previous: Json, patch: PatchOperation[], now: string): { document: Json; touched: Set<string> } {
  let doc = structuredClone(previous);
  const touched = new Set<string>();
  for (const op of patch) {
    const tokens = op.path.slice(1).split('/').map(decodePointerToken);
    const [first, second] = tokens;
    try {
      doc = applyOperation(doc, op as Operation, false, true).newDocument as Json;
    } catch {
      // The twins service applied it; a failure here means history's state differs. Keep going.
      continue;
    }
    if (first === '$metadata') {
      if (second && second !== '$model' && !second.startsWith('$')) touched.add(second);
      continue;
    }
    touched.add(first);
    const value = doc[first];
    const meta = doc.$metadata as Json;
    if (isObject(value) && isObject(value.$metadata)) {
      // A component: its own $metadata tracks its members.
      const cmeta = value.$metadata;
      if (tokens.length === 1) {
        const fresh: Json = { $lastUpdateTime: now };
        for (const member of Object.keys(value)) if (member !== '$metadata') fresh[member] = { lastUpdateTime: now };
        value.$metadata = fresh;
      } else if (second !== '$metadata') {
        cmeta.$lastUpdateTime = now;
        if (op.op === 'remove' && tokens.length === 2) delete cmeta[second];
        else cmeta[second] = { ...(isObject(cmeta[second]) ? cmeta[second] : {}), lastUpdateTime: now };
      }
      continue;
    }
    if (!Object.hasOwn(doc, first)) delete meta[first];
    else meta[first] = { ...(isObject(meta[first]) ? meta[first] : {}), lastUpdateTime: now };
  }
  (doc.$metadata as Json).$lastUpdateTime = now;
  return { document: doc, touched };
}
