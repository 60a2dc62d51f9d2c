import type { TokenCredential } from './credentials';

/** What fetch takes as a body (a string, bytes, a Blob, URLSearchParams, a ReadableStream). */
export type RequestBody = NonNullable<RequestInit['body']>;
import { ApiError, ConnectionError } from './errors';

export const DEFAULT_API_VERSION = '2023-10-31';

export interface RetryOptions {
  /** Retries of a `429` or `503` answer (default 3); 0 turns retrying off. */
  maxRetries?: number;
  /** First back-off when the server sends no `Retry-After` (default 500 ms, doubled each time). */
  baseDelayMs?: number;
  /** Longest wait, whatever `Retry-After` says (default 30 s). */
  maxDelayMs?: number;
}

export interface TransportOptions {
  /** The gateway's base URL: `https://twins.example.com` (a path prefix is kept). */
  endpoint: string;
  credential?: TokenCredential;
  apiVersion?: string;
  retry?: RetryOptions;
  /** Another fetch (a proxy agent, a test's). */
  fetch?: typeof fetch;
  /** Extra headers on every request (`x-forwarded-proto` behind a TLS-terminating proxy, ...). */
  headers?: Record<string, string>;
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | boolean | string[] | undefined>;
  headers?: Record<string, string | undefined>;
  /** A JSON value (sent as JSON), or a raw body with its content type in `headers`. */
  json?: unknown;
  body?: RequestBody;
  contentType?: string;
  signal?: AbortSignal;
}

const RETRIABLE = new Set([429, 503]);

/** Sends requests: base URL and `api-version`, the bearer token, errors as `ApiError`, retries of 429/503. */
export class Transport {
  readonly apiVersion: string;
  private readonly base: URL;
  private readonly doFetch: typeof fetch;

  constructor(readonly options: TransportOptions) {
    this.base = new URL(options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`);
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    this.doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  url(path: string, query: RequestOptions['query'] = {}): URL {
    const url = new URL(path.replace(/^\//, ''), this.base);
    url.searchParams.set('api-version', this.apiVersion);
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, v);
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** The response of a successful request; an `ApiError` otherwise. The body is left unread. */
  async send(path: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.url(path, options.query);
    const headers = new Headers(this.options.headers);
    for (const [key, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers.set(key, value);
    let body: RequestBody | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers.set('content-type', options.contentType ?? 'application/json');
    } else if (options.contentType) headers.set('content-type', options.contentType);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    // A streamed body can be sent once only.
    const replayable = body === undefined || typeof body === 'string' || body instanceof URLSearchParams || body instanceof Blob || body instanceof ArrayBuffer || ArrayBuffer.isView(body);
    const retry = this.options.retry ?? {};
    const maxRetries = replayable ? (retry.maxRetries ?? 3) : 0;
    for (let attempt = 0; ; attempt++) {
      const token = await this.options.credential?.getToken();
      if (token) headers.set('authorization', `Bearer ${token}`);
      let res: Response;
      try {
        const init: RequestInit & { duplex?: 'half' } = { method: options.method ?? 'GET', headers, body, signal: options.signal };
        if (!replayable) init.duplex = 'half';
        res = await this.doFetch(url, init);
      } catch (err) {
        if (options.signal?.aborted) throw err;
        throw new ConnectionError(url.toString(), err);
      }
      if (res.ok) return res;
      if (attempt < maxRetries && RETRIABLE.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        await sleep(retryDelay(res.headers, attempt, retry), options.signal);
        continue;
      }
      throw await ApiError.from(res);
    }
  }

  async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(path, options);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, else exponential back-off; capped. */
export function retryDelay(headers: Headers, attempt: number, retry: RetryOptions = {}): number {
  const cap = retry.maxDelayMs ?? 30_000;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.min(cap, Number(ms));
  const after = headers.get('retry-after');
  if (after) {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return Math.min(cap, Math.max(0, seconds * 1000));
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.min(cap, Math.max(0, date - Date.now()));
  }
  return Math.min(cap, (retry.baseDelayMs ?? 500) * 2 ** attempt);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}
