import { DomainError, type ImportLineError } from '@odt/contracts';

/** A rejected line as the job's log shows it: the API's error code, its message and its details in one line. */
export function importLineError(line: number, err: unknown): ImportLineError {
  if (err instanceof DomainError) {
    const details = err.details?.map((d) => d.message).join(' ');
    return { line, code: err.code, message: details ? `${err.message}: ${details}` : err.message };
  }
  throw err;
}
