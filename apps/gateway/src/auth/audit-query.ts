import { DomainError } from '@odt/contracts';
import { single } from '../http/request-context';
import type { AuditEntry } from './audit-log';

/** What `GET /audit` asks for: the filters (all must hold), the order and the page. */
export interface AuditQuery {
  order: 'desc' | 'asc';
  /** Milliseconds since the epoch: entries at or after `from`, before `to`. */
  from?: number;
  to?: number;
  caller?: string;
  action?: string;
  method?: string;
  target?: string;
  outcome?: AuditEntry['outcome'];
  /** The stream position the previous page stopped at (exclusive). */
  after?: number;
}

const OUTCOMES = ['succeeded', 'denied', 'failed'] as const;
const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS'];

/** Reads the query string of `GET /audit`; anything that does not parse is `400 InvalidArgument`. */
export function parseAuditQuery(query: Record<string, unknown>): AuditQuery {
  const text = (name: string) => {
    const v = single(query[name]);
    return v === undefined || v === '' ? undefined : v;
  };
  const time = (name: string) => {
    const v = text(name);
    if (v === undefined) return undefined;
    const ms = Date.parse(v);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(ms)) throw new DomainError('InvalidArgument', `The query parameter ${name} must be an ISO 8601 date-time (2024-05-01T12:00:00Z).`);
    return ms;
  };
  const order = text('order') ?? 'desc';
  if (order !== 'desc' && order !== 'asc') throw new DomainError('InvalidArgument', 'The query parameter order must be desc or asc.');
  const outcome = text('outcome');
  if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome)) throw new DomainError('InvalidArgument', `The query parameter outcome must be one of ${OUTCOMES.join(', ')}.`);
  const method = text('method')?.toUpperCase();
  if (method !== undefined && !METHODS.includes(method)) throw new DomainError('InvalidArgument', `The query parameter method must be one of ${METHODS.join(', ')}.`);
  const token = text('continuationToken');
  if (token !== undefined && !/^\d{1,15}$/.test(token)) throw new DomainError('InvalidArgument', 'The continuationToken is not one this service issued.');
  const target = text('target');
  const result: AuditQuery = {
    order,
    from: time('from'),
    to: time('to'),
    caller: text('caller'),
    action: text('action')?.replace(/^Microsoft\.DigitalTwins\//, ''),
    method,
    target: target === undefined ? undefined : `/${target.replace(/^\/+/, '').replace(/\/+$/, '')}`,
    outcome: outcome as AuditEntry['outcome'] | undefined,
    after: token === undefined ? undefined : Number(token),
  };
  if (result.from !== undefined && result.to !== undefined && result.from >= result.to) throw new DomainError('InvalidArgument', 'The query parameter from must be earlier than to.');
  return result;
}

/** Does the entry pass every filter of the query? */
export function matchesAudit(entry: AuditEntry, q: AuditQuery): boolean {
  const time = Date.parse(entry.time);
  if (q.from !== undefined && time < q.from) return false;
  if (q.to !== undefined && time >= q.to) return false;
  if (q.caller !== undefined && entry.caller.id !== q.caller) return false;
  if (q.method !== undefined && entry.method !== q.method) return false;
  if (q.outcome !== undefined && entry.outcome !== q.outcome) return false;
  if (q.action !== undefined) {
    const action = entry.action ?? '';
    if (q.action.endsWith('/*') ? !action.startsWith(q.action.slice(0, -1)) : action !== q.action) return false;
  }
  if (q.target !== undefined) {
    const path = decoded(entry.path);
    const target = decoded(q.target);
    if (path !== target && !path.startsWith(`${target}/`)) return false;
  }
  return true;
}

/** Paths are logged as sent (`/models/dtmi%3Aexample%3ARoom%3B1`); compared decoded. */
function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
