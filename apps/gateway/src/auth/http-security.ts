import { DomainError } from '@odt/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { LIVE_EVENTS_ROUTE, StreamTickets } from '../events/stream-tickets';
import { single } from '../http/request-context';
import { isPublicRoute, isUnmatched, PROBE_PATHS } from '../http/public-route';
import { AuditLog } from './audit-log';
import { RateLimiter } from './rate-limiter';
import { InvalidTokenError, TokenVerifier, type VerifiedCaller } from './token-verifier';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set before routing for every API request. */
    caller?: VerifiedCaller;
    /** The data action the route needs, once authorised (for the audit log). */
    dataAction?: string;
  }
}

/** With authentication off (loopback only), the caller may do everything. */
export const ANONYMOUS: VerifiedCaller = Object.freeze({ type: 'unauthenticated', id: 'anonymous', roles: [] });
export const hasOpenAccess = (caller: VerifiedCaller): boolean => caller === ANONYMOUS;

/** Requests that change nothing, or only send telemetry/queries: not audited. */
const UNAUDITED = /^(GET|HEAD|OPTIONS)$/;
const READ_POSTS = /^\/(query|digitaltwins\/[^?]*\/telemetry)(\?|$)/;

/**
 * Authentication and the limits around it, as Fastify hooks that run before routing: the overall
 * rate limit, the bearer token (401 with `WWW-Authenticate: Bearer`), then the caller's own rate
 * limit. Authorisation (the data action of each route) is `DataActionGuard`'s. Writes, and refusals,
 * go to the audit log when the response is sent.
 */
export function installHttpSecurity(app: NestFastifyApplication, config: GatewayConfig, verifier: TokenVerifier | undefined, logger: Logger): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const overall = new RateLimiter(config.RATE_LIMIT_GLOBAL);
  const perCaller = new RateLimiter(config.RATE_LIMIT_PER_CALLER);
  const audit = app.get(AuditLog);
  const tickets = app.get(StreamTickets);

  const cors = config.CORS_ORIGINS.length > 0;
  // Callback hooks (no promise per request); only a token or a ticket to check waits for anything.
  fastify.addHook('onRequest', (request, reply, done) => {
    // CORS preflights carry no token; @fastify/cors answers them.
    if (PROBE_PATHS.test(request.url) || (cors && request.method === 'OPTIONS')) return done();
    if (request.url.length > config.MAX_URL_LENGTH) {
      throw new DomainError('InvalidArgument', `The request URL is longer than ${config.MAX_URL_LENGTH} characters.`);
    }
    throttle(request, reply, overall.take('*'), 'The service is receiving more requests than it accepts');
    // The reference pages need no token, and an unknown path is a 404 whoever asks.
    if (isPublicRoute(request) || isUnmatched(request)) {
      throttle(request, reply, perCaller.take(request.ip), 'This client sends more requests than it may');
      return done();
    }
    const ticket = single((request.query as Record<string, unknown>).ticket);
    const identified = (caller: VerifiedCaller) => {
      request.caller = caller;
      throttle(request, reply, perCaller.take(verifier ? `${caller.type}:${caller.id}` : request.ip), 'This caller sends more requests than it may');
    };
    if (ticket !== undefined && request.routeOptions.url === LIVE_EVENTS_ROUTE && request.method === 'GET') {
      if (request.headers.authorization !== undefined) throw new DomainError('InvalidArgument', 'Send either a stream ticket or an Authorization header, not both.');
      tickets.redeem(ticket).then((holder) => identified(verifier ? holder : ANONYMOUS)).then(() => done(), done);
    } else if (verifier) {
      authenticate(request, reply, verifier).then(identified).then(() => done(), done);
    } else {
      identified(ANONYMOUS);
      done();
    }
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    if (UNAUDITED.test(request.method) || PROBE_PATHS.test(request.url)) return done();
    if (request.method === 'POST' && READ_POSTS.test(request.url) && reply.statusCode < 400) return done();
    const status = reply.statusCode;
    audit.record({
      time: new Date().toISOString(),
      requestId: String(request.id),
      caller: { type: request.caller?.type ?? 'unauthenticated', id: request.caller?.id ?? 'unknown' },
      ...(request.dataAction ? { action: request.dataAction } : {}),
      method: request.method,
      path: request.url.split('?')[0],
      status,
      outcome: status === 401 || status === 403 || status === 429 ? 'denied' : status < 400 ? 'succeeded' : 'failed',
    });
    done();
  });

  if (!verifier) {
    // Under `npm start` (a supervisor) its start-up summary says it, on its "Tokens" line.
    logger[process.env.ODT_SUPERVISOR_PID ? 'debug' : 'warn']({ host: config.HOST }, 'authentication is OFF: every caller may do everything. The gateway listens on loopback only; configure AUTH_* (docs/security.md) before exposing it.');
  }
}

async function authenticate(request: FastifyRequest, reply: FastifyReply, verifier: TokenVerifier): Promise<VerifiedCaller> {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)\s*$/i.exec(header);
  if (!match) {
    void reply.header('www-authenticate', 'Bearer');
    throw new DomainError('Unauthorized', header === undefined
      ? 'The request has no access token. Send one in the Authorization header as "Bearer <token>".'
      : 'The Authorization header must be "Bearer <token>".');
  }
  try {
    return await verifier.verify(match[1]);
  } catch (err) {
    const message = err instanceof InvalidTokenError ? err.message : 'The access token could not be verified.';
    void reply.header('www-authenticate', `Bearer error="invalid_token", error_description="${message.replace(/["\\]/g, '')}"`);
    throw new DomainError('Unauthorized', message);
  }
}

function throttle(request: FastifyRequest, reply: FastifyReply, retryAfter: number, message: string): void {
  if (retryAfter === 0) return;
  void reply.header('retry-after', String(retryAfter));
  const code = request.url.startsWith('/query') ? 'QuotaReachedError' : 'TooManyRequests';
  throw new DomainError(code, `${message}; retry after ${retryAfter} s.`);
}
