import type { Relationship, Twin } from '../api/adt';

export interface GraphSlice {
  twins: Twin[];
  relationships: Relationship[];
}

function isTwin(v: unknown): v is Twin {
  return typeof v === 'object' && v !== null && typeof (v as Twin).$dtId === 'string' && typeof (v as Twin).$metadata === 'object';
}

function isRelationship(v: unknown): v is Relationship {
  return typeof v === 'object' && v !== null && typeof (v as Relationship).$relationshipId === 'string' && typeof (v as Relationship).$sourceId === 'string';
}

/**
 * The twins and relationships in a page of query rows: a row is a twin (`SELECT *`), a
 * relationship (`FROM RELATIONSHIPS`), or a projection whose columns hold either (`SELECT T, R`).
 */
export function sliceOfRows(rows: Record<string, unknown>[]): GraphSlice {
  const twins: Twin[] = [];
  const relationships: Relationship[] = [];
  for (const row of rows) {
    if (isTwin(row)) twins.push(row);
    else if (isRelationship(row)) relationships.push(row);
    else {
      for (const value of Object.values(row)) {
        if (isTwin(value)) twins.push(value);
        else if (isRelationship(value)) relationships.push(value);
      }
    }
  }
  return { twins, relationships };
}

/** The position of a `SqlQueryError` (`Line=1, Position=14`, Position from 0) as an offset into the text. */
export function errorOffset(message: string, text: string): number | undefined {
  const m = /Line=(\d+), Position=(\d+)/.exec(message);
  if (!m) return undefined;
  const lines = text.split('\n');
  const line = Math.min(Number(m[1]), lines.length) - 1;
  let offset = 0;
  for (let i = 0; i < line; i++) offset += lines[i].length + 1;
  return Math.min(offset + Number(m[2]), text.length);
}

/** The columns of a results table: `$dtId` and `$model` first for twins, then every other key seen in the first rows. */
export function columnsOf(rows: Record<string, unknown>[], sample = 200): string[] {
  const seen = new Set<string>();
  for (const row of rows.slice(0, sample)) for (const key of Object.keys(row)) if (key !== '$metadata' && key !== '$etag') seen.add(key);
  const first = ['$dtId', '$model', '$relationshipId', '$sourceId', '$relationshipName', '$targetId'].filter((k) => k === '$model' ? rows.slice(0, sample).some(isTwin) : seen.has(k));
  return [...first, ...[...seen].filter((k) => !first.includes(k)).sort()];
}

export function cellText(row: Record<string, unknown>, column: string): string {
  const value = column === '$model' ? (row.$metadata as { $model?: string } | undefined)?.$model : row[column];
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') {
    if (isTwin(value)) return value.$dtId;
    if (isRelationship(value)) return `${value.$sourceId} —${value.$relationshipName}→ ${value.$targetId}`;
    return JSON.stringify(value);
  }
  return String(value);
}

/** `SELECT * FROM RELATIONSHIPS R WHERE R.$sourceId IN [...]`, in chunks of the IN-list limit (ADT Explorer does the same with 100). */
export function relationshipQueries(ids: string[], chunk = 50): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += chunk) {
    const list = ids.slice(i, i + chunk).map((id) => `'${id.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ');
    out.push(`SELECT * FROM RELATIONSHIPS R WHERE R.$sourceId IN [${list}]`);
  }
  return out;
}
