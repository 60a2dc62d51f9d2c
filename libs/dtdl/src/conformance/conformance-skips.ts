import type { LocatedCase } from './conformance-cases';

/** The option value that is also the parser's default for each DTDL version (README: "options"). */
const DEFAULT_OPTION: Record<number, string> = { 2: 'AllowUndefinedExtensions', 3: 'DisallowUndefinedExtensions' };

/** Extension contexts that exist in DTDL but that DTDLParser 1.1.3 (the npm WebAssembly build) does not know. */
const EXTENSIONS_THE_PARSER_LACKS = new Set([
  'dtmi:dtdl:extension:mqtt;3',
  'dtmi:dtdl:extension:mqtt;4',
  'dtmi:dtdl:extension:requirement;2',
]);

/**
 * Why a model case cannot be run through `validateModels` as ADT would see it, or undefined to run it.
 * Each reason names a feature the service deliberately does not have or a parser limitation.
 * (Cases rejected only for defining an Interface inline are set aside after running: see conformance-run.ts.)
 */
export function skipReasonOf({ dtdlVersion, modelCase }: LocatedCase): string | undefined {
  // The service always parses with the per-version defaults, like ADT; it has no options to set.
  if (modelCase.options.some((option) => option !== DEFAULT_OPTION[dtdlVersion])) return 'non-default parser options';
  // Opt-in leniency of the .NET parser that ADT does not switch on.
  if (modelCase.quirks?.length) return 'quirks (tolerate solecisms)';
  // Layering (DTMIs with #fragments across documents), not an ADT feature.
  if (modelCase.partialResolution) return 'partialResolution (layering)';
  // A parser configured to reject newer DTDL versions: a setting the service does not have.
  if (modelCase.maxDtdlVersion !== undefined) return 'maxDtdlVersion (parser setting)';
  if (modelCase.requiredContexts?.some((context) => EXTENSIONS_THE_PARSER_LACKS.has(context)) || mentionsMissingExtension(modelCase.input)) {
    return 'extension context the parser lacks (mqtt;3, mqtt;4, requirement;2)';
  }
  return undefined;
}

function mentionsMissingExtension(value: unknown): boolean {
  if (typeof value === 'string') return EXTENSIONS_THE_PARSER_LACKS.has(value);
  if (Array.isArray(value)) return value.some(mentionsMissingExtension);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(mentionsMissingExtension);
  return false;
}
