import type { ModelData } from '@odt/contracts';
import type { StoredModelRow } from './models.repository';

/** ADT prints uploadTime with 7 fractional digits and a `+00:00` offset; Postgres keeps 6. */
export function toModelData(row: StoredModelRow, includeModelDefinition: boolean): ModelData {
  return {
    id: row.id,
    ...(row.display_name ? { displayName: row.display_name } : {}),
    description: row.description ?? {},
    uploadTime: `${row.upload_time}0+00:00`,
    decommissioned: row.decommissioned,
    ...(includeModelDefinition ? { model: row.document } : {}),
  };
}

/** Opaque, URL-safe list cursor. */
export function encodeCursor(seq: string): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

export function decodeCursor(cursor: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    return typeof parsed.s === 'string' && /^\d{1,19}$/.test(parsed.s) ? parsed.s : undefined;
  } catch {
    return undefined;
  }
}
