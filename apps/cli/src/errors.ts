import { ApiError, ConnectionError } from '@odt/client';

/** Exit codes, one per class of error, so scripts can tell them apart (docs/cli.md). */
export const ExitCode = {
  Ok: 0,
  /** Anything unexpected (a bug). */
  Failure: 1,
  /** A bad flag or argument, an unreadable or invalid input file, a confirmation missing `--yes`. */
  Usage: 2,
  /** The API refused the request as invalid (400: validation, a query error, a bad patch). */
  BadRequest: 3,
  /** Not signed in, or not allowed (401, 403). */
  Auth: 4,
  /** What was asked for does not exist (404). */
  NotFound: 5,
  /** A conflict: it exists already, or changed since it was read (409, 412). */
  Conflict: 6,
  /** The service is unreachable, busy or failing (429, 5xx, connection errors): worth retrying later. */
  Unavailable: 7,
  /** A job that was watched ended failed or cancelled. */
  JobFailed: 8,
} as const;

/** An error the CLI reports as one line on stderr and an exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.Usage) {
    super(message);
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof ConnectionError) return ExitCode.Unavailable;
  if (err instanceof ApiError) {
    if (err.status === 400 || err.status === 413 || err.status === 415) return ExitCode.BadRequest;
    if (err.status === 401 || err.status === 403) return ExitCode.Auth;
    if (err.status === 404) return ExitCode.NotFound;
    if (err.status === 409 || err.status === 412) return ExitCode.Conflict;
    if (err.status === 429 || err.status >= 500) return ExitCode.Unavailable;
    return ExitCode.BadRequest;
  }
  return ExitCode.Failure;
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
