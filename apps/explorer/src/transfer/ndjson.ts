import type { Relationship, Twin } from '../api/adt';

/** An import file in ADT's import-job format: NDJSON sections Header, Models, Twins, Relationships. */
export interface GraphFile {
  header: Record<string, unknown>;
  models: Record<string, unknown>[];
  twins: Twin[];
  relationships: Relationship[];
}

type Section = 'Header' | 'Models' | 'Twins' | 'Relationships';
const SECTIONS: Section[] = ['Header', 'Models', 'Twins', 'Relationships'];

/** Reads an import file; errors name the line. Relationship lines carry `$dtId` (their source), as in ADT. */
export function parseGraphFile(text: string): GraphFile {
  const file: GraphFile = { header: {}, models: [], twins: [], relationships: [] };
  let section: Section | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: not JSON`);
    }
    if (typeof value.Section === 'string' && Object.keys(value).length === 1) {
      if (!SECTIONS.includes(value.Section as Section)) throw new Error(`line ${i + 1}: unknown section ${value.Section}`);
      if (section && SECTIONS.indexOf(value.Section as Section) < SECTIONS.indexOf(section)) throw new Error(`line ${i + 1}: section ${value.Section} after ${section}`);
      section = value.Section as Section;
      return;
    }
    switch (section) {
      case 'Header': file.header = value; break;
      case 'Models': file.models.push(value); break;
      case 'Twins':
        if (typeof value.$dtId !== 'string') throw new Error(`line ${i + 1}: a twin needs $dtId`);
        file.twins.push(value as Twin);
        break;
      case 'Relationships': {
        const { $dtId, ...rest } = value;
        const source = ($dtId ?? value.$sourceId) as string | undefined;
        if (typeof source !== 'string' || typeof value.$relationshipId !== 'string') throw new Error(`line ${i + 1}: a relationship needs $dtId and $relationshipId`);
        file.relationships.push({ ...rest, $sourceId: source } as Relationship);
        break;
      }
      default: throw new Error(`line ${i + 1}: no section yet (the file starts with {"Section":"Header"})`);
    }
  });
  return file;
}

const strip = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

/** Writes an import file; relationship properties are kept (ADT Explorer's export lost them, its issue #290). */
export function writeGraphFile(file: Omit<GraphFile, 'header'>, author = 'Open Digital Twins Explorer'): string {
  const lines: unknown[] = [{ Section: 'Header' }, { fileVersion: '1.0.0', author, organization: '' }];
  if (file.models.length) lines.push({ Section: 'Models' }, ...file.models);
  if (file.twins.length) {
    lines.push({ Section: 'Twins' }, ...file.twins.map((t) => {
      const { $dtId, $metadata, ...rest } = strip(t, ['$etag']) as Twin;
      return { $dtId, $metadata: { $model: $metadata.$model }, ...rest };
    }));
  }
  if (file.relationships.length) {
    lines.push({ Section: 'Relationships' }, ...file.relationships.map((r) => {
      const { $sourceId, ...rest } = strip(r, ['$etag']) as Relationship;
      return { $dtId: $sourceId, ...rest };
    }));
  }
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** A twin as PUT wants it: no `$dtId`/`$etag`, only `$model` in `$metadata` (plus component metadata). */
export function twinBody(twin: Twin): Record<string, unknown> {
  const { $dtId: _id, $etag: _etag, $metadata, ...rest } = twin;
  const body: Record<string, unknown> = { $metadata: { $model: $metadata.$model } };
  for (const [k, v] of Object.entries(rest)) {
    body[k] = v && typeof v === 'object' && '$metadata' in (v as object) ? { ...(v as object), $metadata: {} } : v;
  }
  return body;
}

export function relationshipBody(rel: Relationship): Record<string, unknown> {
  const { $relationshipId: _id, $sourceId: _s, $etag: _e, ...rest } = rel;
  return rest;
}
