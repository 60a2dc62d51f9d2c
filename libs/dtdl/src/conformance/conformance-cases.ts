import { conformanceFiles, readConformanceJson } from './conformance-files';

/** Test support: the model cases of `test/fixtures/dtdl-conformance` (format in its README.md). */
export interface ModelCase {
  valid: boolean;
  input: unknown[];
  options: string[];
  quirks?: string[];
  /** Documents a model repository returns when the parser asks for the `request`ed DTMIs. */
  resolution?: Array<{ request: string[]; response: unknown[] | null }>;
  partialResolution?: unknown;
  maxDtdlVersion?: number;
  requiredContexts?: string[];
  instances?: InstanceCheck[];
  expect?: { unresolvedIdentifiers?: string[] };
}

export interface InstanceCheck {
  subject: string;
  submit: string;
  conforms?: boolean;
  throws?: boolean;
}

export interface LocatedCase {
  file: string;
  index: number;
  dtdlVersion: number;
  modelCase: ModelCase;
}

interface ManifestEntry {
  path: string;
  dtdlVersion?: number;
}

export const MODEL_FOLDERS = ['specification', 'generated', 'doc-examples', 'solecisms'];

export function loadModelCases(): LocatedCase[] {
  const manifest = readConformanceJson('manifest.json') as { files: ManifestEntry[] };
  const versions = new Map(manifest.files.map((entry) => [entry.path, entry.dtdlVersion]));
  return MODEL_FOLDERS.flatMap((folder) =>
    conformanceFiles(folder).flatMap((file) => {
      const dtdlVersion = versions.get(file);
      if (dtdlVersion === undefined) throw new Error(`${file} is not in manifest.json`);
      const content = readConformanceJson(file) as ModelCase | ModelCase[];
      const cases = Array.isArray(content) ? content : [content];
      return cases.map((modelCase, index) => ({ file, index, dtdlVersion, modelCase }));
    }),
  );
}

/** The batch ADT's POST /models would receive: every document, a document that is an array giving its elements. */
export function batchOf(modelCase: ModelCase): unknown[] {
  return modelCase.input.flatMap((document) => (Array.isArray(document) ? document : [document]));
}

/**
 * The case's model repository as ADT's store of already-uploaded models: asked for some DTMIs, it
 * returns the documents of every `resolution` entry that requested any of them.
 */
export function storedModelsOf(modelCase: ModelCase): (ids: string[]) => Promise<unknown[]> {
  return async (ids) =>
    (modelCase.resolution ?? [])
      .filter((entry) => entry.request.some((id) => ids.includes(id)))
      .flatMap((entry) => entry.response ?? []);
}
