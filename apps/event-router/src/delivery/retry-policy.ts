import type { Endpoint } from '@odt/contracts';

/** Event Grid's defaults for the next hop: 30 attempts, 24 hours. */
export const DEFAULT_MAX_ATTEMPTS = 30;
export const DEFAULT_TTL_SECONDS = 24 * 3600;

/** How long to wait before trying again when the dead-letter stream itself is out of reach. */
export const DEAD_LETTER_RETRY_MS = 60_000;

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 60_000;

/** After a failed attempt: try again after `delayMs`, or give up (dead-letter the event). */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * The wait before the next attempt, after `attempts` failed ones: 0.5 s doubling per attempt, at
 * most 1 min, each spread by ±50 % (`random` in [0, 1)) so that retries of many events do not
 * come back together.
 */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempts - 1, 7));
  return Math.round(base * (0.5 + random()));
}

/** An event is given up on once the endpoint's attempts are used, or it is older than its time-to-live. */
export function isExhausted(retry: Endpoint['retry'], attempts: number, eventTime: string, now = Date.now()): boolean {
  const ageSeconds = (now - Date.parse(eventTime)) / 1000;
  return attempts >= (retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) || ageSeconds > (retry?.ttlSeconds ?? DEFAULT_TTL_SECONDS);
}

/** What to do after the `attempts`-th failed delivery of an event that happened at `eventTime`. */
export function afterFailure(retry: Endpoint['retry'], attempts: number, eventTime: string, now = Date.now(), random: () => number = Math.random): RetryDecision {
  return isExhausted(retry, attempts, eventTime, now) ? { retry: false } : { retry: true, delayMs: backoffMs(attempts, random) };
}
