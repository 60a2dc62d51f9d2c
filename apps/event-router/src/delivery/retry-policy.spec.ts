import { afterFailure, backoffMs, DEFAULT_MAX_ATTEMPTS, DEFAULT_TTL_SECONDS, isExhausted } from './retry-policy';

const middle = () => 0.5;

describe('backoffMs: the wait before the next attempt', () => {
  it('starts at 0.5 s and doubles with each failed attempt, up to 1 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 30].map((attempts) => backoffMs(attempts, middle))).toEqual([
      500, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('spreads each wait between half and one and a half times its step', () => {
    expect(backoffMs(3, () => 0)).toBe(1000);
    expect(backoffMs(3, () => 0.999_999)).toBe(3000);
    expect(backoffMs(20, () => 0)).toBe(30_000);
    expect(backoffMs(20, () => 0.999_999)).toBe(90_000);
  });
});

describe('isExhausted: when an event is given up on', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  const justNow = '2025-06-01T11:59:59Z';

  it('after the endpoint\'s attempts, by default Event Grid\'s 30', () => {
    expect(isExhausted(undefined, DEFAULT_MAX_ATTEMPTS - 1, justNow, now)).toBe(false);
    expect(isExhausted(undefined, DEFAULT_MAX_ATTEMPTS, justNow, now)).toBe(true);
    expect(isExhausted({ maxAttempts: 2 }, 1, justNow, now)).toBe(false);
    expect(isExhausted({ maxAttempts: 2 }, 2, justNow, now)).toBe(true);
  });

  it('once the event is older than the endpoint\'s time-to-live, by default 24 hours', () => {
    const dayAndASecondAgo = new Date(now - (DEFAULT_TTL_SECONDS + 1) * 1000).toISOString();
    const dayAgo = new Date(now - DEFAULT_TTL_SECONDS * 1000).toISOString();
    expect(isExhausted(undefined, 1, dayAgo, now)).toBe(false);
    expect(isExhausted(undefined, 1, dayAndASecondAgo, now)).toBe(true);
    expect(isExhausted({ ttlSeconds: 60 }, 1, '2025-06-01T11:58:59Z', now)).toBe(true);
    expect(isExhausted({ ttlSeconds: 60 }, 1, '2025-06-01T11:59:30Z', now)).toBe(false);
  });
});

describe('afterFailure', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it('retries after the backoff while attempts and time remain', () => {
    expect(afterFailure({ maxAttempts: 5 }, 4, '2025-06-01T12:00:00Z', now, middle)).toEqual({ retry: true, delayMs: 4000 });
  });

  it('gives up on the last attempt', () => {
    expect(afterFailure({ maxAttempts: 5 }, 5, '2025-06-01T12:00:00Z', now, middle)).toEqual({ retry: false });
  });
});
