import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Test support: the third-party test data kept in the repository, in `test/fixtures/` (sources and
 * licences in its README.md; `test/fixtures/index.ts` is the same for code outside the libs, which
 * a lib may not import).
 */
export const FIXTURES_DIR = path.resolve(__dirname, '../../../../test/fixtures');
export const CONFORMANCE_DIR = path.join(FIXTURES_DIR, 'dtdl-conformance');
export const ONTOLOGIES_DIR = path.join(FIXTURES_DIR, 'ontologies');

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

/** Every interface under a folder of `test/fixtures/ontologies`, in file order (a file may hold an array). */
export function ontologyInterfaces(folder: string): unknown[] {
  const directory = path.join(ONTOLOGIES_DIR, folder);
  return fs
    .readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json'))
    .sort()
    .flatMap((name) => {
      const document = readJsonFile(path.join(directory, name));
      return Array.isArray(document) ? document : [document];
    });
}
