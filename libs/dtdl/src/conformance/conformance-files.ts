import * as fs from 'node:fs';
import * as path from 'node:path';

/** Test support: the shared, read-only test data beside the repository (`/work/shared`). */
export const SHARED_DIR = process.env.ODT_SHARED_DIR ?? path.resolve(__dirname, '../../../../../shared');
export const CONFORMANCE_DIR = path.join(SHARED_DIR, 'dtdl-conformance');

/** Reads a JSON file, dropping the UTF-8 byte-order mark many DTDL files start with. */
export function readJsonFile(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
}

export function readConformanceJson(relativePath: string): unknown {
  return readJsonFile(path.join(CONFORMANCE_DIR, relativePath));
}

/** The `.json` files of one conformance folder, as paths relative to the conformance root. */
export function conformanceFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(CONFORMANCE_DIR, folder))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => `${folder}/${name}`);
}
