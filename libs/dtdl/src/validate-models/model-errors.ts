import { DomainError, type ErrorDetail } from '@odt/contracts';
import type { ParsingError } from '../parser/parse-outcome';

const MESSAGE_PREFIX = 'None of the models in this request could be created due to a problem with one or more models: ';
const MESSAGE_SUFFIX = ' See model documentation(http://aka.ms/ADTv2Models) for supported format.';
/** The message names this many problems; `details` always lists them all. */
const PROBLEMS_IN_MESSAGE = 5;

/** ADT's all-or-nothing rejection of a `POST /models` batch. */
export function modelsRejected(details: ErrorDetail[]): DomainError {
  const named = details.slice(0, PROBLEMS_IN_MESSAGE).map((detail) => detail.message);
  const more = details.length - named.length;
  const summary = named.join(' ') + (more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : '');
  return new DomainError('DTDLParserError', MESSAGE_PREFIX + summary + MESSAGE_SUFFIX, details);
}

export function parsingErrorDetail(error: ParsingError): ErrorDetail {
  return {
    code: error.ValidationID.slice(error.ValidationID.lastIndexOf(':') + 1),
    message: `${error.Cause} ${error.Action}`,
    ...(error.PrimaryID ? { target: error.PrimaryID } : {}),
  };
}

/** `referrers`: missing DTMI → top-level models whose documents mention it. */
export function missingReferenceDetails(missing: string[], referrers: Map<string, string[]>): ErrorDetail[] {
  return missing.map((id) => {
    const by = referrers.get(id) ?? [];
    return {
      code: 'unresolvedReference',
      message: `${id}${by.length ? ` (referenced by ${by.join(', ')})` : ''} is neither in this request nor an existing model.`,
      target: id,
    };
  });
}
