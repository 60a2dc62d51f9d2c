/** Postgres SQLSTATE `foreign_key_violation`. */
const FOREIGN_KEY_VIOLATION = '23503';

interface PgErrorFields {
  code?: unknown;
  constraint?: unknown;
}

/**
 * When `err` is a Postgres `foreign_key_violation`, the constraint it names; undefined for any other
 * error. Takes pg's own error and TypeORM's `QueryFailedError` (which copies the driver's fields and
 * keeps the original as `driverError`) alike.
 */
export function foreignKeyViolation(err: unknown): { constraint: string | undefined } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as PgErrorFields & { driverError?: PgErrorFields };
  if ((e.driverError?.code ?? e.code) !== FOREIGN_KEY_VIOLATION) return undefined;
  const constraint = e.driverError?.constraint ?? e.constraint;
  return { constraint: typeof constraint === 'string' ? constraint : undefined };
}
