import { applyDecorators, Catch, Controller, Inject, Injectable, UseFilters, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import type { Logger } from 'pino';
import { throwError, type Observable } from 'rxjs';
import { MESSAGING_LOGGER } from '../tokens';
import { InternalCallContext } from './internal-call-context';
import { toWireError, type WireError } from './wire';

/**
 * Maps what a `@MessagePattern` handler throws to the reply's `err`: a domain error keeps its ADT
 * code, message and details (the caller rebuilds the same error); anything else is logged and
 * answered as an opaque `InternalServerError`.
 */
@Catch()
@Injectable()
export class InternalApiExceptionFilter implements RpcExceptionFilter<unknown> {
  constructor(@Inject(MESSAGING_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<WireError> {
    if (!(exception instanceof DomainError)) {
      const ctx = host.switchToRpc().getContext<unknown>();
      const call = ctx instanceof InternalCallContext ? ctx : undefined;
      this.logger.error({ err: exception, subject: call?.getSubject(), requestId: call?.getCall().requestId }, 'request handler failed');
    }
    return throwError(() => toWireError(exception));
  }
}

/**
 * A controller of `@MessagePattern` handlers: one service's internal API (see docs/internal-api.md),
 * its failures answered as ADT errors.
 */
export const InternalApiController = (): ClassDecorator => applyDecorators(Controller(), UseFilters(InternalApiExceptionFilter));
