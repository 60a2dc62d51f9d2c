import { DomainError, type Connection, type ConnectionSource } from '@odt/contracts';
import { z } from 'zod';

const urlWith = (...schemes: string[]) => z.string().url()
  .refine((u) => schemes.includes(new URL(u).protocol), `must be a ${schemes.join(' or ')} URL`)
  .refine((u) => new URL(u).password === '', 'must not carry a password: give it in "password" (write-only)');
/** A NATS subject; `*` and `>` allowed as whole tokens. */
const NATS_SUBJECT = /^([^\s.*>]+|\*)(\.([^\s.*>]+|\*))*(\.>)?$|^>$/;
const secret = { username: z.string().min(1).max(256).optional(), password: z.string().min(1).max(512).optional() };

/** The body of `PUT /connections/{name}` (see docs/connections.md). */
const connectionBody = z.object({
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('mqtt'), url: urlWith('mqtt:', 'mqtts:', 'ws:', 'wss:'), topic: z.string().min(1).max(256), ...secret }).strict(),
    z.object({ type: z.literal('amqp'), url: urlWith('amqp:', 'amqps:'), queue: z.string().min(1).max(255), ...secret }).strict(),
    z.object({ type: z.literal('nats'), subject: z.string().max(256).regex(NATS_SUBJECT, 'must be a NATS subject') }).strict(),
    z.object({ type: z.literal('http') }).strict(),
  ]),
  mapping: z.string().min(1).max(64 * 1024),
  enabled: z.boolean().optional(),
}).strict();

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/;

export const ConnectionErrors = {
  invalid: (message: string) => new DomainError('ConnectionInvalid', message),
  notFound: (name: string) => new DomainError('ConnectionNotFound', `There is no connection named ${name}.`),
  notHttp: (name: string) => new DomainError('ConnectionInvalid', `Connection ${name} does not take messages over HTTP (its source is not {"type": "http"}).`),
  disabled: (name: string) => new DomainError('ConnectionInvalid', `Connection ${name} is disabled.`),
};

export function checkConnectionName(name: string): void {
  if (!NAME.test(name)) throw ConnectionErrors.invalid('A connection name is 1 to 50 characters from A-Z a-z 0-9 - _ and starts with a letter or digit.');
}

/** Validates a connection body; the password is split off, never to be shown again. */
export function parseConnection(name: string, body: unknown): { connection: Connection; secret?: string } {
  const parsed = connectionBody.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw ConnectionErrors.invalid(`Invalid connection ${name}: ${problems}`);
  }
  const { password, ...source } = parsed.data.source as typeof parsed.data.source & { password?: string };
  return { connection: { name, source: source as ConnectionSource, mapping: parsed.data.mapping, enabled: parsed.data.enabled ?? true }, secret: password };
}
