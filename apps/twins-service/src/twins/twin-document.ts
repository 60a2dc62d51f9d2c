import type { DigitalTwin, ErrorDetail, FlattenedInterface, PatchOperation } from '@odt/contracts';
import { isRfc3339 } from './timestamps';
import { TwinErrors } from './twins.errors';

type Json = Record<string, unknown>;

/** What is stored per twin: properties, components and `$metadata` (no `$dtId`/`$etag`). */
export type TwinDocument = Json & { $metadata: Json & { $model: string; $lastUpdateTime: string } };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The model named by a PUT body, checked before anything else. */
export function modelOf(body: unknown): string {
  if (!isObject(body)) throw TwinErrors.invalid([{ code: 'ValidationFailed', message: 'The twin must be a JSON object.' }]);
  const meta = body.$metadata;
  if (!isObject(meta) || typeof meta.$model !== 'string' || meta.$model.length === 0) {
    throw TwinErrors.invalid([{ code: 'ValidationFailed', message: 'The twin must name its model in $metadata.$model.', target: '$metadata.$model' }]);
  }
  return meta.$model;
}

/**
 * Builds the stored document of a PUT: every property gets `lastUpdateTime`, a `sourceTime` given in
 * the body is kept, components get their own `$metadata` without `$model`.
 */
export function buildTwinDocument(body: Json, model: FlattenedInterface, now: string): TwinDocument {
  const problems: ErrorDetail[] = [];
  const givenMeta = body.$metadata as Json;
  const metadata: TwinDocument['$metadata'] = { $model: givenMeta.$model as string, $lastUpdateTime: now };
  const doc: Json = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === '$dtId' || key === '$etag' || key === '$metadata') continue;
    if (key.startsWith('$')) {
      problems.push({ code: 'ValidationFailed', message: `${key} is not a writable system property.`, target: key });
      continue;
    }
    if (key in model.components && isObject(value)) {
      doc[key] = buildComponent(key, value, now, problems);
      continue;
    }
    doc[key] = value;
    metadata[key] = propertyMetadata(key, givenMeta[key], now, problems);
  }
  for (const key of Object.keys(givenMeta)) {
    if (key !== '$model' && key !== '$lastUpdateTime' && !(key in doc)) {
      problems.push({ code: 'ValidationFailed', message: `$metadata.${key} describes a property the twin does not set.`, target: `$metadata.${key}` });
    }
  }
  if (problems.length > 0) throw TwinErrors.invalid(problems);
  return { ...doc, $metadata: metadata } as TwinDocument;
}

function buildComponent(name: string, value: Json, now: string, problems: ErrorDetail[]): Json {
  const givenMeta = isObject(value.$metadata) ? value.$metadata : {};
  const meta: Json = { $lastUpdateTime: now };
  const component: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$metadata') continue;
    component[key] = v;
    meta[key] = propertyMetadata(`${name}.${key}`, givenMeta[key], now, problems);
  }
  return { ...component, $metadata: meta };
}

function propertyMetadata(path: string, given: unknown, now: string, problems: ErrorDetail[]): Json {
  const meta: Json = { lastUpdateTime: now };
  if (isObject(given) && given.sourceTime !== undefined) {
    if (isRfc3339(given.sourceTime)) meta.sourceTime = given.sourceTime;
    else problems.push({ code: 'ValidationFailed', message: `sourceTime of ${path} must be an ISO 8601 date-time.`, target: `$metadata.${path}.sourceTime` });
  }
  return meta;
}

/** Properties and components as the validator sees them: the document less top-level `$metadata`. */
export function userContent(doc: TwinDocument): Json {
  const { $metadata: _meta, ...content } = doc;
  return content;
}

/**
 * A component of the twin, as stored: an object member with its own `$metadata`. No property value
 * can look like that (DTDL names and map keys never start with `$`), and every component of a
 * model is present on its twins, so this answers "is `name` a component of the twin's model"
 * without the model, also for a twin whose model was deleted.
 */
export function componentOf(doc: TwinDocument, name: string): Json | undefined {
  if (name.startsWith('$') || !Object.hasOwn(doc, name)) return undefined;
  const value = doc[name];
  return isObject(value) && isObject(value.$metadata) ? value : undefined;
}

export function toTwin(id: string, etag: string, doc: TwinDocument): DigitalTwin {
  return { $dtId: id, $etag: etag, ...doc } as DigitalTwin;
}

/** Content without components' `$metadata`: what a replacing PUT's `Twin.Update` patch compares. */
export function stripComponentMetadata(content: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(content)) {
    if (isObject(v) && isObject(v.$metadata)) {
      const { $metadata: _m, ...rest } = v;
      out[k] = rest;
    } else out[k] = v;
  }
  return out;
}

export type { PatchOperation };
