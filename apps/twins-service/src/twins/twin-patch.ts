import { applyOperation, JsonPatchError, type Operation } from 'fast-json-patch';
import type { PatchOperation } from '@odt/contracts';
import type { TwinDocument } from './twin-document';
import { isRfc3339 } from './timestamps';
import { TwinErrors } from './twins.errors';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const decodeToken = (t: string) => t.replace(/~1/g, '/').replace(/~0/g, '~');

/** Checks the shape of a JSON Patch before it touches anything: ADT allows add, replace, remove. */
export function parsePatch(patch: unknown): PatchOperation[] {
  if (!Array.isArray(patch)) throw TwinErrors.patchInvalid('The patch document must be a JSON array of operations.');
  return patch.map((raw) => {
    if (!isObject(raw)) throw TwinErrors.patchInvalid('Each patch operation must be a JSON object.');
    const { op, path } = raw;
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw TwinErrors.patchInvalid(`Unsupported operation type ${String(op)}.`);
    if (typeof path !== 'string' || !path.startsWith('/') || path.length < 2) throw TwinErrors.patchInvalid(`Invalid path ${String(path)}.`);
    if (op !== 'remove' && !('value' in raw)) throw TwinErrors.patchInvalid(`Operation ${op} on ${path} needs a value.`);
    const tokens = path.slice(1).split('/').map(decodeToken);
    if (tokens[0] === '$dtId' || tokens[0] === '$etag') throw TwinErrors.patchInvalid(`${tokens[0]} cannot be changed.`);
    if (tokens[0] === '$metadata') checkMetadataPath(tokens.slice(1), op, path);
    else if (tokens[1] === '$metadata') checkMetadataPath(tokens.slice(2), op, path, true);
    return op === 'remove' ? { op, path } : { op, path, value: raw.value };
  });
}

function checkMetadataPath(rest: string[], op: string, path: string, inComponent = false): void {
  const modelChange = !inComponent && rest.length === 1 && rest[0] === '$model' && op !== 'remove';
  const sourceTime = rest.length === 2 && rest[1] === 'sourceTime' && !rest[0].startsWith('$');
  if (!modelChange && !sourceTime) throw TwinErrors.patchInvalid(`The metadata path ${path} cannot be written.`);
}

/**
 * Applies the operations one by one to a copy of the document, keeping `$metadata` in step:
 * a written property gets a new `lastUpdateTime`, a removed one loses its metadata.
 * `components` names the components of the twin's model (after a model change, of the new one).
 */
export function applyTwinPatch(doc: TwinDocument, ops: PatchOperation[], components: (name: string) => boolean, now: string): TwinDocument {
  let current = structuredClone(doc) as Json;
  for (const op of ops) {
    const tokens = op.path.slice(1).split('/').map(decodeToken);
    if (tokens[0] === '$metadata' && tokens[1] !== '$model' && op.op !== 'remove' && !isRfc3339(op.value)) {
      throw TwinErrors.invalid([{ code: 'ValidationFailed', message: `${op.path} must be an ISO 8601 date-time.`, target: op.path }]);
    }
    try {
      current = applyOperation(current, op as Operation, true, true).newDocument as Json;
    } catch (err) {
      if (err instanceof JsonPatchError) throw TwinErrors.patchInvalid(`Operation ${op.op} on ${op.path} cannot be applied: ${err.message.split('\n')[0]}.`);
      throw err;
    }
    touchMetadata(current, tokens, op.op, components, now);
  }
  const meta = current.$metadata as Json;
  if (!isObject(meta) || typeof meta.$model !== 'string') throw TwinErrors.patchInvalid('$metadata.$model must stay a model id.');
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
