import type { Json } from './twin-history';

/** A twin in a checkpoint: every event before the checkpoint's day applied. */
export interface CheckpointedTwin {
  etag: string;
  model: number;
  document: Json;
}

/** One stored event of a twin, its time as ADT prints it (`adtTime`: fixed width, so it sorts as text). */
export interface StoredTwinEvent {
  time: string;
  kind: string;
  etag: string;
  model: number;
  changes: Json | null;
  removed: string[] | null;
  sourceTimes: Json | null;
}

/** A twin as of a moment: the ETag and model of its last event, and its document. */
export interface TwinAsOf {
  etag: string;
  model: number;
  document: Json | null;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One twin as of a moment, from its checkpoint (if any) and its events since, up to the moment:
 * the same fold as the SQL of `history.twin_states_of` (migration 1764000000008), which the query
 * language and the checkpoints use, done here for point reads, where Postgres only fetches rows.
 * Its last event gives existence, ETag and model; its document is its last create's (or the
 * checkpoint's) with, per top-level key, the last value set or its removal since, and `$metadata`
 * in step. Objects come out with their keys in jsonb's order, as the SQL gave them.
 * `modelId`: the model's DTMI, by interned id.
 */
export function foldTwinAsOf(checkpoint: CheckpointedTwin | undefined, events: StoredTwinEvent[], modelId: (id: number) => string | null): TwinAsOf | undefined {
  if (events.length === 0) return checkpoint && { etag: checkpoint.etag, model: checkpoint.model, document: checkpoint.document };
  const ordered = events.length > 1 ? [...events].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)) : events;
  const last = ordered[ordered.length - 1];
  if (last.kind === 'd') return undefined;
  let base: Json | undefined = checkpoint?.document;
  let createdAt: string | undefined;
  // Per key, its latest change after the last create: a value set (with its event), or a removal.
  let latest = new Map<string, { value?: unknown; removed: boolean; event: StoredTwinEvent }>();
  for (const e of ordered) {
    if (e.kind === 'c') {
      base = e.changes ?? undefined;
      createdAt = e.time;
      latest = new Map();
    } else if (e.kind === 'u' && (createdAt === undefined || e.time > createdAt)) {
      if (e.changes) for (const [key, value] of Object.entries(e.changes)) latest.set(key, { value, removed: false, event: e });
      if (e.removed) for (const key of e.removed) latest.set(key, { removed: true, event: e });
    }
  }
  if (!base) return undefined;
  if (!isObject(base.$metadata)) return { etag: last.etag, model: last.model, document: null };
  const document: Json = { ...base };
  const metadata: Json = { ...base.$metadata };
  for (const [key, change] of latest) {
    if (change.removed) {
      delete document[key];
      delete metadata[key];
      continue;
    }
    document[key] = change.value;
    // A component keeps its own $metadata; a property's entry is its last set's time and sourceTime.
    if (!(isObject(change.value) && Object.hasOwn(change.value, '$metadata'))) {
      const sourceTime = stripNulls(change.event.sourceTimes?.[key] ?? null);
      metadata[key] = sourceTime === null ? { lastUpdateTime: change.event.time } : inJsonbOrder({ lastUpdateTime: change.event.time, sourceTime });
    }
  }
  metadata.$model = modelId(last.model);
  metadata.$lastUpdateTime = last.time;
  document.$metadata = inJsonbOrder(metadata);
  return { etag: last.etag, model: last.model, document: inJsonbOrder(document) };
}

/** `jsonb_strip_nulls`: object fields whose value is null removed, at any depth. */
function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v);
  return out;
}

const ASCII = /^[\x00-\x7f]*$/;
const utf8 = new TextEncoder();

/** jsonb keeps an object's keys shortest first, then by their UTF-8 bytes. */
function jsonbKeyOrder(a: string, b: string): number {
  if (ASCII.test(a) && ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

function inJsonbOrder(o: Json): Json {
  const out: Json = {};
  for (const key of Object.keys(o).sort(jsonbKeyOrder)) out[key] = o[key];
  return out;
}
