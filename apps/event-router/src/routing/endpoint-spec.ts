import type { Endpoint } from '@odt/contracts';
import { z } from 'zod';
import { RoutingErrors } from './routing.errors';

const urlWith = (...schemes: string[]) => z.string().url().refine((u) => schemes.includes(new URL(u).protocol), `must be a ${schemes.join(' or ')} URL`);
const NATS_SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;
const common = {
  deadLetter: z.object({ enabled: z.boolean() }).strict().optional(),
  retry: z.object({
    maxAttempts: z.number().int().min(1).max(100).optional(),
    ttlSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
  }).strict().optional(),
};

/** The body of `PUT /endpoints/{name}`, per kind (see docs/events.md). */
const endpointBody = z.discriminatedUnion('endpointType', [
  z.object({
    endpointType: z.literal('webhook'),
    url: urlWith('http:', 'https:'),
    secret: z.string().min(16).max(512).optional(),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(4096)).optional(),
    mode: z.enum(['structured', 'binary']).optional(),
    ...common,
  }).strict(),
  z.object({ endpointType: z.literal('nats'), subject: z.string().max(256).regex(NATS_SUBJECT, 'must be a NATS subject without wildcards'), ...common }).strict(),
  z.object({ endpointType: z.literal('mqtt'), url: urlWith('mqtt:', 'mqtts:'), topic: z.string().min(1).max(256).regex(/^[^#+]+$/, 'must not contain wildcards'), ...common }).strict(),
  z.object({ endpointType: z.literal('amqp'), url: urlWith('amqp:', 'amqps:'), exchange: z.string().min(1).max(255), routingKey: z.string().max(255).optional(), ...common }).strict(),
]);

/** Validates an endpoint body; the secret is split off, never to be shown again. */
export function parseEndpoint(name: string, body: unknown): { endpoint: Endpoint; secret?: string } {
  const parsed = endpointBody.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw RoutingErrors.endpointInvalid(`Invalid endpoint ${name}: ${problems}`);
  }
  const { secret, ...settings } = parsed.data as typeof parsed.data & { secret?: string };
  return { endpoint: { name, ...settings }, secret };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/;

export function checkEndpointName(name: string): void {
  if (!NAME.test(name)) throw RoutingErrors.endpointInvalid('An endpoint name is 1 to 50 characters from A-Z a-z 0-9 - _ and starts with a letter or digit.');
}

export function checkRouteId(id: string): void {
  if (!NAME.test(id)) throw RoutingErrors.routeIdInvalid();
}
