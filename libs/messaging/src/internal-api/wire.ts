import { DomainError, isErrorCode, type ErrorDetail } from '@odt/contracts';

/**
 * The wire format of Nest's NATS transport (`@nestjs/microservices`, `Transport.NATS`), which we
 * speak so that a stock Nest `ClientProxy` can call our services and vice versa: a request is
 * `{pattern, data, id}` (no `id`: an event, no reply), a reply `{id, response | err, isDisposed}`.
 */
export interface RequestPacket<T = unknown> {
  pattern: string;
  data: T;
  id?: string;
}

export interface ReplyPacket<T = unknown> {
  id: string;
  response?: T;
  err?: unknown;
  isDisposed?: boolean;
}

/** How an ADT error travels in a reply's `err`: a stock client sees this object as its error. */
export interface WireError {
  code: string;
  message: string;
  details?: ErrorDetail[];
}

const INTERNAL: WireError = { code: 'InternalServerError', message: 'An internal error occurred.' };

export function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null
    && typeof (value as WireError).code === 'string' && typeof (value as WireError).message === 'string';
}

/** A handler's failure as it goes on the wire; anything but a domain error is an opaque internal error. */
export function toWireError(err: unknown): WireError {
  if (err instanceof DomainError) return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  return INTERNAL;
}

/** A reply's `err` back into the domain error the handler threw (an unknown code is an internal error). */
export function fromWireError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (isWireError(err)) return new DomainError(isErrorCode(err.code) ? err.code : 'InternalServerError', err.message, err.details);
  return new DomainError('InternalServerError', INTERNAL.message);
}

/**
 * A request the transport itself gave up on: nobody serves the subject, the connection is down, or
 * no answer came in time. The caller sees the same ADT error as any other; metrics tell them apart.
 */
export class TransportFailure extends DomainError {
  constructor(code: 'ServiceUnavailable' | 'GatewayTimeout', message: string, readonly outcome: 'no_responders' | 'timeout') {
    super(code, message);
  }
}
