/**
 * A thin fetch wrapper over the gateway's ADT API, same origin. Errors come back ADT-shaped
 * (`{"error":{"code","message"}}`) and are thrown as ApiError with that code.
 */
export const API_VERSION = '2023-10-31';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

let token: string | undefined = sessionStorage.getItem('odt-token') ?? undefined;

/** A pasted bearer token (kept for this browser tab only), or undefined with authentication off. */
export function setToken(value: string | undefined): void {
  token = value?.trim() || undefined;
  if (token) sessionStorage.setItem('odt-token', token);
  else sessionStorage.removeItem('odt-token');
}

export function currentToken(): string | undefined {
  return token;
}

export interface Reply<T> {
  body: T;
  headers: Headers;
  status: number;
}

export function withVersion(path: string, params: Record<string, string | undefined> = {}): string {
  const url = new URL(path, location.origin);
  url.searchParams.set('api-version', API_VERSION);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.pathname + url.search;
}

export async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const h: Record<string, string> = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
  const url = path.includes('api-version=') ? path : withVersion(path);
  const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = text; }
  }
  if (!res.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? res.headers.get('x-ms-error-code') ?? String(res.status), error?.message ?? (typeof parsed === 'string' ? parsed : res.statusText));
  }
  return { body: parsed as T, headers: res.headers, status: res.status };
}

/** Follows `nextLink`s and returns every item. */
export async function listAll<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = withVersion(path);
  while (next) {
    const page: Reply<{ value: T[]; nextLink?: string | null }> = await call('GET', next);
    items.push(...page.body.value);
    next = page.body.nextLink ? new URL(page.body.nextLink, location.origin).pathname + new URL(page.body.nextLink, location.origin).search : undefined;
  }
  return items;
}
