import type { PatchOperation } from '@odt/contracts';
import { applyPatchOperation, decodePointerToken, encodePointerToken, parsePatchOperations, patchInvalid } from '@odt/graph-domain';
import type { TwinDocument } from './twin-document';
import { isRfc3339 } from './timestamps';
import { TwinErrors } from './twins.errors';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);


/** Checks the shape of a JSON Patch on a twin before it touches anything: ADT allows add, replace, remove. */
export function parsePatch(patch: unknown): PatchOperation[] {
  return parsePatchOperations(patch, (tokens, op, path) => {
    const [first, second] = tokens;
    if (first === '$dtId' || first === '$etag') throw patchInvalid(`${first} cannot be changed.`);
    if (first === '$metadata') checkMetadataPath(tokens.slice(1), op, path, true);
    else if (first.startsWith('$')) throw patchInvalid(`${first} is not a writable system property.`);
    else if (second === '$metadata') checkMetadataPath(tokens.slice(2), op, path, false);
  });
}

/**
 * A JSON Patch sent to `/components/<component>`: its paths are relative to the component, so the
 * component's `$metadata` may only take `sourceTime`s and nothing may start with another `$`. The
 * result has absolute paths (`/<component>/prop`), ready for the twin's patch path and its event.
 */
export function parseComponentPatch(component: string, patch: unknown): PatchOperation[] {
  const ops = parsePatchOperations(patch, (tokens, op, path) => {
    const [first] = tokens;
    if (first === '$metadata') checkMetadataPath(tokens.slice(1), op, path, false);
    else if (first.startsWith('$')) throw patchInvalid(`${first} cannot be written through a component.`);
  });
  const prefix = `/${encodePointerToken(component)}`;
  return ops.map((o) => ({ ...o, path: `${prefix}${o.path}` }));
}

function checkMetadataPath(rest: string[], op: string, path: string, twinLevel: boolean): void {
  const modelChange = twinLevel && rest.length === 1 && rest[0] === '$model' && op !== 'remove';
  const sourceTime = rest.length === 2 && rest[1] === 'sourceTime' && !rest[0].startsWith('$');
  if (!modelChange && !sourceTime) throw patchInvalid(`The metadata path ${path} cannot be written.`);
}

/**
 * Applies the operations one by one to a copy of the document, keeping `$metadata` in step:
 * a written property gets a new `lastUpdateTime`, a removed one loses its metadata.
 * `components` names the components of the twin's model (after a model change, of the new one).
 */
export function applyTwinPatch(doc: TwinDocument, ops: PatchOperation[], components: (name: string) => boolean, now: string): TwinDocument {
  let current = structuredClone(doc) as Json;
  for (const op of ops) {
    const tokens = op.path.slice(1).split('/').map(decodePointerToken);
    const sourceTime = (tokens[0] === '$metadata' && tokens[1] !== '$model') || tokens[1] === '$metadata';
    if (sourceTime && op.op !== 'remove' && !isRfc3339(op.value)) {
      throw TwinErrors.invalid([{ code: 'ValidationFailed', message: `${op.path} must be an ISO 8601 date-time.`, target: op.path }]);
    }
    current = applyPatchOperation(current, op);
    touchMetadata(current, tokens, op.op, components, now);
  }
  const meta = current.$metadata as Json;
  if (!isObject(meta) || typeof meta.$model !== 'string') throw patchInvalid('$metadata.$model must stay a model id.');
  meta.$lastUpdateTime = now;
  return current as TwinDocument;
}

function touchMetadata(doc: Json, tokens: string[], op: string, isComponent: (name: string) => boolean, now: string): void {
  const [first, second] = tokens;
  if (first === '$metadata') return;
  const meta = doc.$metadata as Json;
  if (isComponent(first) && tokens.length >= 2 && second !== '$metadata') {
    const component = doc[first];
    if (!isObject(component)) return;
    const cmeta = isObject(component.$metadata) ? component.$metadata : (component.$metadata = {});
    cmeta.$lastUpdateTime = now;
    touchProperty(cmeta, second, op === 'remove' && tokens.length === 2, now);
    return;
  }
  if (isComponent(first) && tokens.length === 1 && op !== 'remove') {
    const component = doc[first];
    if (isObject(component)) {
      const cmeta: Json = { $lastUpdateTime: now };
      for (const key of Object.keys(component)) if (key !== '$metadata') cmeta[key] = { lastUpdateTime: now };
      component.$metadata = cmeta;
    }
    return;
  }
  if (isComponent(first)) return;
  touchProperty(meta, first, op === 'remove' && tokens.length === 1, now);
}

function touchProperty(meta: Json, name: string, removed: boolean, now: string): void {
  if (removed) {
    delete meta[name];
    return;
  }
  const previous = isObject(meta[name]) ? meta[name] : {};
  meta[name] = { ...previous, lastUpdateTime: now };
}
