import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type Logger, type LoggerOptions } from 'pino';
import type { Params } from 'nestjs-pino';

const PROBES = /^\/(healthz|readyz)(\?|$)/;
const LEVELS_WITH_ACCESS_LOG = new Set(['info', 'debug', 'trace']);

/** Headers whose values must never reach a log line. */
const redactedPaths = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'];

export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[redacted]' },
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

export function nestLoggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
      ...loggerOptions(service, level),
      genReqId: (req) => requestIdOf(req),
      customProps: (req) => ({ requestId: req.id }),
      // Probes hit these every few seconds; under middie `url` may be rewritten, `originalUrl` is not.
      // Above `info` no access line would be written: skip the per-request work entirely.
      autoLogging: LEVELS_WITH_ACCESS_LOG.has(level)
        ? { ignore: (req) => PROBES.test((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '') }
        : false,
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      },
    },
  };
}
