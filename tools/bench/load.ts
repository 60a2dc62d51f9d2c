import { Pool, type Dispatcher } from 'undici';

export interface LoadResult {
  name: string;
  ok: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
}

/** Percentile (0..1) of an ascending array of milliseconds. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function summarise(name: string, latencies: number[], errors: number, seconds: number, statuses: Record<string, number>): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    name,
    ok: latencies.length,
    errors,
    seconds: round(seconds),
    perSecond: Math.round(latencies.length / seconds),
    p50: round(percentile(sorted, 0.5)),
    p90: round(percentile(sorted, 0.9)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1] ?? 0),
    statuses,
  };
}

/** Outcomes of timed operations: a status below 300 (or `true`) is a success and its latency is kept. */
class Tally {
  private readonly latencies: number[] = [];
  private readonly statuses: Record<string, number> = {};
  private errors = 0;

  /** Runs `task`; its latency counts from `since` (when it was sent, or when it was due). */
  async measure(since: number, task: () => Promise<number | boolean>): Promise<void> {
    let outcome: number | boolean;
    try {
      outcome = await task();
    } catch {
      outcome = false;
    }
    const key = String(outcome);
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    if (outcome === true || (typeof outcome === 'number' && outcome < 300)) this.latencies.push(performance.now() - since);
    else this.errors++;
  }

  summarise(name: string, seconds: number): LoadResult {
    return summarise(name, this.latencies, this.errors, seconds, this.statuses);
  }
}

/**
 * Closed-loop load: `concurrency` workers each run `task` back to back for `seconds`, so every
 * measured operation was acknowledged before the worker sent its next one.
 */
export async function closedLoop(
  name: string,
  concurrency: number,
  seconds: number,
  task: (worker: number, i: number) => Promise<number | boolean>,
  maxOps = Number.POSITIVE_INFINITY,
): Promise<LoadResult> {
  const tally = new Tally();
  let issued = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    for (let i = 0; performance.now() < deadline && issued < maxOps; i++) {
      issued++;
      await tally.measure(performance.now(), () => task(worker, i));
    }
  }));
  return tally.summarise(name, (performance.now() - started) / 1000);
}

/**
 * Open-loop load at a fixed rate: an operation is due every `1000 / perSecond` ms for `seconds`,
 * sent when due whether or not earlier ones have been answered. Each latency counts from when the
 * operation was due, not when it was sent, so a stall of the generator (or of what it waits on)
 * counts against the system, not in its favour (no coordinated omission). `client` must allow
 * enough requests in flight (sockets) for the rate.
 */
export async function fixedRate(name: string, perSecond: number, seconds: number, task: (i: number) => Promise<number | boolean>): Promise<LoadResult> {
  const tally = new Tally();
  const started = performance.now();
  const total = Math.floor(perSecond * seconds);
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(tally.measure(due, () => task(i)));
  }
  await Promise.all(inFlight);
  return tally.summarise(name, (performance.now() - started) / 1000);
}

/**
 * A keep-alive HTTP client with one socket per worker; returns the status code. undici's pool, not
 * `node:http`: the load generator's own CPU per request is about a third lower (it shares the
 * machine's cores with what it measures, so the lighter client is the fairer one; the raw-SQL side
 * of the query bench is one pg client, as light as it gets).
 */
export function httpClient(baseUrl: string, sockets: number) {
  const pool = new Pool(baseUrl, { connections: sockets, pipelining: 1, keepAliveTimeout: 60_000 });
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<number> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await pool.request({
      method: method as Dispatcher.HttpMethod, path, body: payload,
      headers: payload === undefined ? headers : { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json', ...headers },
    });
    await res.body.dump({ limit: Number.MAX_SAFE_INTEGER }); // read to the end, keeping the socket
    return res.statusCode;
  };
}

export function table(results: LoadResult[]): string {
  const head = ['scenario', 'ops/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'ok', 'errors'];
  const rows = results.map((r) => [r.name, r.perSecond, r.p50, r.p90, r.p99, r.max, r.ok, r.errors].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
