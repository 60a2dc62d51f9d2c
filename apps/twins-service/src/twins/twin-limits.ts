import type { ErrorDetail } from '@odt/contracts';
import type { TwinDocument } from './twin-document';
import { TwinErrors } from './twins.errors';

/** ADT's limit on a twin's JSON (reference §3.3, §6); a patch can grow a twin past the 32 KB request limit. */
export const DEFAULT_MAX_TWIN_BYTES = 32 * 1024;
/** ADT's limit on a property name; map keys are property names too. */
export const MAX_PROPERTY_NAME_BYTES = 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The stored document (properties, components and `$metadata`, as JSON) must fit in `maxBytes`,
 * and no member name may pass 1 KB. Strings (≤ 4 KB) are the instance validator's.
 */
export function checkTwinLimits(doc: TwinDocument, maxBytes: number, json?: string): void {
  if (hasLongName(doc)) {
    const problems: ErrorDetail[] = [];
    collectLongNames(doc, '', problems);
    if (problems.length > 0) throw TwinErrors.invalid(problems);
  }
  const bytes = Buffer.byteLength(json ?? JSON.stringify(doc), 'utf8');
  if (bytes > maxBytes) throw TwinErrors.tooLarge(bytes, maxBytes);
}

/** Whether any member name may pass the limit (the common case, none, without building paths). */
function hasLongName(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasLongName);
  if (!isObject(value)) return false;
  for (const key of Object.keys(value)) {
    if (key === '$metadata') continue;
    // A UTF-16 unit is at most 3 UTF-8 bytes: short names need no count.
    if (key.length * 3 > MAX_PROPERTY_NAME_BYTES && Buffer.byteLength(key, 'utf8') > MAX_PROPERTY_NAME_BYTES) return true;
    if (hasLongName(value[key])) return true;
  }
  return false;
}

function collectLongNames(value: unknown, path: string, problems: ErrorDetail[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => collectLongNames(item, `${path}/${i}`, problems));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, member] of Object.entries(value)) {
    if (key === '$metadata') continue;
    if (Buffer.byteLength(key, 'utf8') > MAX_PROPERTY_NAME_BYTES) {
      problems.push({ code: 'ValidationFailed', message: `A property name is limited to ${MAX_PROPERTY_NAME_BYTES} UTF-8 bytes.`, target: `${path}/${key.slice(0, 32)}...` });
      continue;
    }
    collectLongNames(member, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, problems);
  }
}
