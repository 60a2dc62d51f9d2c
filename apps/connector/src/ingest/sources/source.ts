import type { ConnectionEnvelope, ConnectionSource } from '@odt/contracts';
import type { Logger } from 'pino';

/** What a source hands each message to: resolves once the ingest stream has it (then the source acknowledges its broker). */
export type Append = (envelope: ConnectionEnvelope, msgId?: string) => Promise<void>;

export interface SourceContext {
  connection: string;
  /** Unique per installation (the events stream name): MQTT client ids and NATS durables carry it. */
  installation: string;
  secret?: string;
  append: Append;
  logger: Logger;
  /** Counts a message received from the source (before it is appended). */
  received: () => void;
}

/** A running source: it stops taking messages, and what it has not acknowledged stays with the broker. */
export interface RunningSource {
  stop(): Promise<void>;
}

export type SourceOf<T extends ConnectionSource['type']> = Extract<ConnectionSource, { type: T }>;

/** A payload as JSON when it parses, else as text. */
export function decodePayload(bytes: Uint8Array | Buffer): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Waits `ms`, or less once `stopped()` (polled every 100 ms). */
export async function pause(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
}

/** Appends until it succeeds or the source stops (ingest full or away): the source holds the message meanwhile. */
export async function appendPatiently(ctx: SourceContext, envelope: ConnectionEnvelope, stopped: () => boolean, msgId?: string): Promise<boolean> {
  for (let delay = 100; !stopped(); delay = Math.min(delay * 2, 5000)) {
    try {
      await ctx.append(envelope, msgId);
      return true;
    } catch (err) {
      ctx.logger.warn({ connection: ctx.connection, err: (err as Error).message }, 'ingest refused a message; holding it and retrying');
      await pause(delay, stopped);
    }
  }
  return false;
}
