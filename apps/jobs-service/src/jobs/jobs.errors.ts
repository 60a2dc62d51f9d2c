import { DomainError } from '@odt/contracts';

/** ADT's job errors (reference §2 rows 25–32). */
export const JobErrors = {
  importNotFound: (id: string) => new DomainError('ImportJobNotFound', `The import job ${id} was not found.`),
  deleteNotFound: (id: string) => new DomainError('DeleteJobNotFound', `The delete job ${id} was not found.`),
  exportNotFound: (id: string) => new DomainError('ExportJobNotFound', `The export job ${id} was not found.`),
  limitReached: () => new DomainError('JobLimitReached', 'Another bulk job (import or delete) is in progress; only one may run at a time. Retry when it has finished.'),
  idTaken: (kind: string, id: string) => new DomainError('ValidationFailed', `A ${kind} job with the id ${id} already exists. Delete it first or use another id.`),
  invalid: (message: string) => new DomainError('ValidationFailed', message),
  notFinished: (id: string) => new DomainError('ValidationFailed', `The export job ${id} has not succeeded (yet); its output is not available.`),
};

/** Job ids follow the same rule as ADT's: 1–128 URL-safe characters. */
export const JOB_ID = /^[A-Za-z0-9\-._~:@!$&'()*+,;=]{1,128}$/;
