import { DomainError } from '@odt/contracts';

/** The error a call throws; fails when it throws none or something else than a DomainError. */
export function domainErrorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('No error was thrown');
}
