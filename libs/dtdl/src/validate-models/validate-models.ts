import type { FlattenedInterface } from '@odt/contracts';
import { flattenInterface } from '../flatten/flatten';
import { interfaceOf, type LanguageMap, type ObjectModel } from '../object-model';
import type { DtdlParser } from '../parser/dtdl-parser';
import { DtdlParserFailure } from '../parser/parse-outcome';
import { interfacesOfBatch, type InterfaceDocument } from './batch-shape';
import { missingReferenceDetails, modelsRejected, parsingErrorDetail } from './model-errors';
import { directReferencesOf, inlineInterfacesOf, referrersOf } from './references';

export interface ValidatedInterface {
  id: string;
  dtdlVersion: number;
  /** The document as submitted. */
  document: InterfaceDocument;
  displayName?: LanguageMap;
  description: LanguageMap;
  flattened: FlattenedInterface;
  /** Interfaces it references directly through `extends` or as a Component schema. */
  dependencies: string[];
  /** Targets of the Relationships it declares itself. */
  relationshipTargets: string[];
}

export interface ValidatedBatch {
  /** The submitted Interfaces, in request order. */
  interfaces: ValidatedInterface[];
}

/** Fetches already-stored models by id; ids it does not know are simply absent from the result. */
export type LoadStoredModels = (ids: string[]) => Promise<unknown[]>;

/**
 * Validates the body of ADT's `POST /models`: all models or none. References to models that are
 * not in the batch are looked up with `loadStored` (transitively) and parsed along with it.
 * Throws a `DomainError` (`InvalidArgument` or `DTDLParserError`) when the batch is rejected.
 */
export async function validateModels(documents: unknown[], parser: DtdlParser, loadStored: LoadStoredModels): Promise<ValidatedBatch> {
  const submitted = interfacesOfBatch(documents);
  const { model, stored } = await parseWithStoredReferences(submitted, parser, loadStored);

  const topLevel = new Set([...submitted, ...stored].map((document) => document['@id']));
  const inline = inlineInterfacesOf(model, topLevel);
  if (inline.length > 0) {
    throw modelsRejected(inline.map((id) => ({
      code: 'inlineInterface',
      message: `Interface ${id} is defined inline; define it as a separate model and reference it by its DTMI.`,
      target: id,
    })));
  }
  return { interfaces: submitted.map((document) => validatedInterface(model, document)) };
}

async function parseWithStoredReferences(
  submitted: InterfaceDocument[],
  parser: DtdlParser,
  loadStored: LoadStoredModels,
): Promise<{ model: ObjectModel; stored: InterfaceDocument[] }> {
  const batchIds = new Set(submitted.map((document) => document['@id']));
  const stored = new Map<string, InterfaceDocument>();
  const requested = new Set<string>(batchIds);
  for (;;) {
    const outcome = await parseOrReject(parser, [...submitted, ...stored.values()]);
    if (outcome.kind === 'ok') return { model: outcome.objectModel, stored: [...stored.values()] };
    if (outcome.kind === 'parsing') throw modelsRejected(outcome.errors.map(parsingErrorDetail));

    const unrequested = outcome.undefinedIds.filter((id) => !requested.has(id));
    if (unrequested.length === 0) {
      const referrers = referrersOf(outcome.undefinedIds, [...submitted, ...stored.values()]);
      throw modelsRejected(missingReferenceDetails(outcome.undefinedIds, referrers));
    }
    unrequested.forEach((id) => requested.add(id));
    for (const document of await loadStored(unrequested)) {
      const id = (document as Partial<InterfaceDocument> | null)?.['@id'];
      if (typeof id === 'string' && !batchIds.has(id) && !stored.has(id)) stored.set(id, document as InterfaceDocument);
    }
  }
}

/** A parser bug triggered by the input is reported like a model error, since retrying cannot help. */
async function parseOrReject(parser: DtdlParser, documents: InterfaceDocument[]) {
  try {
    return await parser.parse(documents);
  } catch (error) {
    if (!(error instanceof DtdlParserFailure)) throw error;
    throw modelsRejected([{ code: 'parserFailure', message: `The DTDL parser failed on these models: ${error.message}` }]);
  }
}

function validatedInterface(model: ObjectModel, document: InterfaceDocument): ValidatedInterface {
  const iface = interfaceOf(model, document['@id']);
  const displayName = iface.displayName ?? {};
  return {
    id: iface.Id,
    dtdlVersion: iface.languageMajorVersion,
    document,
    ...(Object.keys(displayName).length > 0 ? { displayName } : {}),
    description: iface.description ?? {},
    flattened: flattenInterface(model, iface.Id),
    ...directReferencesOf(model, iface.Id),
  };
}
