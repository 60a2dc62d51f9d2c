import { DomainError } from '@odt/contracts';

const INSTANT = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An instant as history stores event times: UTC, microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (so
 * two of them compare as strings). Accepts RFC 3339 with any offset; refuses anything else.
 */
export function parseInstant(name: string, text: unknown): string {
  const m = typeof text === 'string' ? INSTANT.exec(text) : null;
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${m[4].toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(ms)) {
    throw new DomainError('InvalidArgument', `${name} must be an ISO 8601 date-time with a time zone (e.g. 2026-01-31T12:00:00Z).`);
  }
  const micros = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`;
}

/** The same instant as Postgres and ADT metadata print it: 7 fractional digits. */
export function adtTime(instant: string): string {
  return `${instant.slice(0, -1)}0Z`;
}

/** Milliseconds since the epoch of a stored instant (sub-millisecond digits dropped). */
export function instantMs(instant: string): number {
  return Date.parse(`${instant.slice(0, 23)}Z`);
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** An ISO 8601 duration of days, hours, minutes and seconds (`PT5M`, `P1D`), in seconds. */
export function parseDuration(name: string, text: string): number {
  const m = DURATION.exec(text);
  const seconds = m ? Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0) : NaN;
  if (!m || text === 'P' || text.endsWith('T') || !(seconds >= 1)) {
    throw new DomainError('InvalidArgument', `${name} must be an ISO 8601 duration of at least one second, such as PT5M or P1D.`);
  }
  return seconds;
}
