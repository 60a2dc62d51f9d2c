import { DomainError, type ErrorDetail } from '@odt/contracts';
import { isDtmi } from '../dtmi';
import { modelsRejected } from './model-errors';

export type InterfaceDocument = Record<string, unknown> & { '@id': string };

/** The DTDL class IRIs of Interface, which `@type` may use instead of the term. */
const INTERFACE_TYPES = new Set(['Interface', 'dtmi:dtdl:class:Interface;2', 'dtmi:dtdl:class:Interface;3']);

/**
 * ADT's checks of a `POST /models` body before any DTDL parsing: a non-empty array of Interface
 * objects, each with a DTMI `@id` used once in the batch.
 */
export function interfacesOfBatch(documents: unknown): InterfaceDocument[] {
  if (!Array.isArray(documents)) {
    throw new DomainError('InvalidArgument', 'The request body must be a JSON array of DTDL interfaces.');
  }
  if (documents.length === 0) throw new DomainError('InvalidArgument', 'The request must contain at least one model.');

  const problems: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const [index, document] of documents.entries()) {
    const problem = shapeProblem(document, index);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const id = (document as InterfaceDocument)['@id'];
    if (seen.has(id)) problems.push({ code: 'duplicateDefinition', message: `The model ${id} appears more than once in the request.`, target: id });
    seen.add(id);
  }
  if (problems.length > 0) throw modelsRejected(problems);
  checkLanguageVersions(documents as InterfaceDocument[]);
  return documents as InterfaceDocument[];
}

const DTDL_CONTEXT = /^dtmi:dtdl:context;(\d+)$/;
const SUPPORTED_VERSIONS = new Set(['2', '3']);

/** ADT runs DTDL v2 and v3 only; the parser also knows v4 (a preview), which ADT refuses. */
function checkLanguageVersions(documents: InterfaceDocument[]): void {
  const unsupported = documents.filter((d) => {
    const contexts = Array.isArray(d['@context']) ? d['@context'] : [d['@context']];
    return contexts.some((c) => typeof c === 'string' && DTDL_CONTEXT.test(c) && !SUPPORTED_VERSIONS.has(DTDL_CONTEXT.exec(c)![1]));
  });
  if (unsupported.length > 0) {
    throw new DomainError('ModelVersionNotSupported', `DTDL versions other than 2 and 3 are not supported; the model(s) ${unsupported.map((d) => d['@id']).join(', ')} use another version.`);
  }
}

function shapeProblem(document: unknown, index: number): ErrorDetail | undefined {
  const where = `The element at index ${index} of the request`;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return { code: 'notJsonObject', message: `${where} is not a JSON object; every model must be a DTDL Interface.` };
  }
  const { '@id': id, '@type': type } = document as Record<string, unknown>;
  const types = Array.isArray(type) ? type : [type];
  if (!types.some((value) => typeof value === 'string' && INTERFACE_TYPES.has(value))) {
    return { code: 'typeNotRootable', message: `${where} is not an Interface; every top-level element must have @type Interface.` };
  }
  if (typeof id !== 'string') return { code: 'missingTopLevelId', message: `${where} has no @id string.` };
  if (!isDtmi(id)) return { code: 'invalidId', message: `${where} has @id '${id}', which is not a DTMI.`, target: id };
  return undefined;
}
