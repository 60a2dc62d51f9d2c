import { DomainError, type Caller } from '@odt/contracts';
import type { FastifyRequest } from 'fastify';

export const requestIdOf = (req: FastifyRequest): string => String(req.id);

/** What an internal request made for this HTTP request carries: its id, its caller and its trace. */
export const callOf = (req: FastifyRequest): { requestId: string; caller?: Caller; traceparent?: string } => ({
  requestId: String(req.id),
  traceparent: req.span?.traceparent,
  ...(req.caller ? { caller: { type: req.caller.type, id: req.caller.id } } : {}),
});

/** First value of a query parameter that a client (or an SDK re-sending params on a nextLink) may repeat. */
export function single(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : String(v);
}

export function parseBoolean(name: string, value: unknown): boolean {
  const v = single(value);
  if (v === undefined || v === '') return false;
  if (v.toLowerCase() === 'true') return true;
  if (v.toLowerCase() === 'false') return false;
  throw new DomainError('InvalidArgument', `The query parameter ${name} must be true or false.`);
}

/** `max-items-per-page`: a positive integer hint; the server may return fewer. */
export function pageSize(header: string | string[] | undefined, fallback: number): number {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v === '') return fallback;
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new DomainError('InvalidArgument', 'The max-items-per-page header must be a positive integer.');
  return Number(v);
}

/** The absolute URL of the next page: the same route and query, plus our continuation cursor. */
export function nextLink(req: FastifyRequest, cursor: string): string {
  const url = new URL(req.url, `${req.protocol}://${req.host}`);
  url.searchParams.delete('continuationToken');
  url.searchParams.set('continuationToken', cursor);
  return url.toString();
}
