import type { ObjectModel } from '../object-model';

/** One error of the parser's "Parsing" exception (fields as in DTDLParser's `ParsingError`). */
export interface ParsingError {
  ValidationID: string;
  Cause: string;
  Action: string;
  PrimaryID?: string | null;
  SecondaryID?: string | null;
  Property?: string | null;
  AuxProperty?: string | null;
  Type?: string | null;
  Value?: string | null;
  Restriction?: string | null;
  Transformation?: string | null;
  Violations?: string[] | null;
}

export type ParseOutcome =
  | { kind: 'ok'; objectModel: ObjectModel }
  | { kind: 'parsing'; errors: ParsingError[] }
  /** The model references DTMIs that none of the parsed documents define. */
  | { kind: 'resolution'; undefinedIds: string[] };

/** The parser failed for a reason other than the model being invalid or incomplete (a parser bug). */
export class DtdlParserFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DtdlParserFailure';
  }
}

/** Turns the parser's thrown message (a JSON `ModelingException`, or anything else) into an outcome. */
export function outcomeOfParserError(message: string): ParseOutcome {
  let exception: unknown;
  try {
    exception = JSON.parse(message);
  } catch {
    throw new DtdlParserFailure(message);
  }
  const kind = (exception as { ExceptionKind?: unknown } | null)?.ExceptionKind;
  if (kind === 'Parsing') return { kind: 'parsing', errors: (exception as { Errors: ParsingError[] }).Errors };
  if (kind === 'Resolution') {
    return { kind: 'resolution', undefinedIds: (exception as { UndefinedIdentifiers: string[] }).UndefinedIdentifiers };
  }
  throw new DtdlParserFailure(message);
}
