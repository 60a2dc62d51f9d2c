import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import pino, { type Logger, type LoggerOptions } from 'pino';
import { currentCall } from './call-context';
import { traceIdOf } from './tracing';

/** Headers whose values must never reach a log line, should anything log them. */
const redactedPaths = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'headers.authorization'];

export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    // Lines written while serving an internal request carry its trace id (and request id).
    mixin: () => {
      const call = currentCall();
      return call ? { traceId: traceIdOf(call.traceparent), requestId: call.requestId } : {};
    },
    formatters: { level: (label) => ({ level: label }) },
  };
}

export function createLogger(service: string, level: string): Logger {
  return pino(loggerOptions(service, level));
}

/** Request id: the caller's (ADT SDKs send `x-ms-client-request-id`) or a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-ms-client-request-id'] ?? req.headers['x-request-id'];
  const value = Array.isArray(given) ? given[0] : given;
  return value && value.length <= 128 ? value : randomUUID();
}

/**
 * Nest's own messages (bootstrap, route mapping, errors) as JSON lines through the service's pino
 * logger. Its `log` messages (modules initialised, routes mapped, application started) are
 * framework boot chatter: `debug`, so a service starts quietly at the default level.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.write('error', message, context, trace);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string, trace?: string): void {
    if (!this.logger.isLevelEnabled(level)) return;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context, ...(trace ? { trace } : {}) }, String(message));
  }
}
