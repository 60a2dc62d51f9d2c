import { DomainError, type PatchOperation } from '@odt/contracts';
import { applyOperation, compare, JsonPatchError, type Operation } from 'fast-json-patch';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const decodePointerToken = (t: string): string => t.replace(/~1/g, '/').replace(/~0/g, '~');
export const encodePointerToken = (t: string): string => t.replace(/~/g, '~0').replace(/\//g, '~1');

export function patchInvalid(message: string): DomainError {
  return new DomainError('JsonPatchInvalid', `${message} Please provide a valid patch document. See section on update apis at https://aka.ms/adtv2twins.`);
}

/** Extra rules on a path, given its decoded tokens. */
export type PatchPathCheck = (tokens: string[], op: PatchOperation['op'], path: string) => void;

/**
 * The shape of a JSON Patch as ADT accepts it: an array of add / replace / remove operations on
 * paths without empty segments (no property, map key or field has an empty name).
 */
export function parsePatchOperations(patch: unknown, checkPath?: PatchPathCheck): PatchOperation[] {
  if (!Array.isArray(patch)) throw patchInvalid('The patch document must be a JSON array of operations.');
  return patch.map((raw) => {
    if (!isObject(raw)) throw patchInvalid('Each patch operation must be a JSON object.');
    const { op, path } = raw;
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw patchInvalid(`Unsupported operation type ${String(op)}.`);
    if (typeof path !== 'string' || !path.startsWith('/') || path.length < 2) throw patchInvalid(`Invalid path ${String(path)}.`);
    if (op !== 'remove' && !('value' in raw)) throw patchInvalid(`Operation ${op} on ${path} needs a value.`);
    const tokens = path.slice(1).split('/').map(decodePointerToken);
    if (tokens.some((t) => t.length === 0)) throw patchInvalid(`Invalid path ${path}: it has an empty segment.`);
    checkPath?.(tokens, op, path);
    return op === 'remove' ? { op, path } : { op, path, value: raw.value };
  });
}

/**
 * Applies one operation to `document`, which it changes in place (pass the caller's own copy), and
 * returns the result; an operation that cannot apply (a missing parent, an index out of range) is
 * a `JsonPatchInvalid` naming it.
 */
export function applyPatchOperation<T>(document: T, op: PatchOperation): T {
  // fast-json-patch refuses these (prototype pollution) with a TypeError; to the caller it is a bad patch.
  const tokens = op.path.slice(1).split('/').map(decodePointerToken);
  if (tokens.some((t, i) => t === '__proto__' || (t === 'prototype' && tokens[i - 1] === 'constructor'))) {
    throw patchInvalid(`Operation ${op.op} on ${op.path} cannot be applied: the path goes through an object's prototype.`);
  }
  try {
    return applyOperation(document, op as Operation, true, true).newDocument;
  } catch (err) {
    if (err instanceof JsonPatchError) throw patchInvalid(`Operation ${op.op} on ${op.path} cannot be applied: ${err.message.split('\n')[0]}.`);
    throw err;
  }
}

/** The add, replace and remove operations that turn `before` into `after`: what a replacing PUT changed, as its update event's patch. */
export function patchBetween(before: object, after: object): PatchOperation[] {
  return (compare(before, after) as Operation[]).flatMap((o): PatchOperation[] => {
    if (o.op === 'remove') return [{ op: 'remove', path: o.path }];
    if (o.op === 'add' || o.op === 'replace') return [{ op: o.op, path: o.path, value: o.value }];
    return []; // compare() writes no other kind (no `test` unless asked to)
  });
}
