import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { DomainError } from '@odt/contracts';
import { NATS_CONNECTION } from '@odt/messaging';
import type { VerifiedCaller } from '../auth/token-verifier';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

/** The route a ticket opens, and no other. */
export const LIVE_EVENTS_ROUTE = '/events';

interface StoredTicket {
  caller: VerifiedCaller;
  expiresAt: number;
}

export interface IssuedTicket {
  ticket: string;
  expiresAt: string;
}

/**
 * Live-stream tickets: a browser's `EventSource` cannot send an `Authorization` header, and a
 * long-lived bearer token does not belong in a URL. `POST /events/tickets` (authenticated as
 * usual) returns a random ticket that opens one `GET /events?ticket=…` as that caller, with the
 * roles it had, within EVENTS_TICKET_TTL_SECONDS. Tickets live in a NATS key-value bucket, so any
 * gateway replica can redeem what another issued; the key is the ticket's SHA-256 (the bucket
 * holds no usable ticket), and redeeming deletes it on condition that nobody else did first, so a
 * ticket opens exactly one stream.
 */
@Injectable()
export class StreamTickets implements OnApplicationBootstrap {
  private kv?: Promise<KV>;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  get bucket(): string {
    return `${this.config.EVENTS_STREAM}_TICKETS`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.store();
  }

  async issue(caller: VerifiedCaller): Promise<IssuedTicket> {
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + this.config.EVENTS_TICKET_TTL_SECONDS * 1000;
    const stored: StoredTicket = { caller: { type: caller.type, id: caller.id, roles: [...caller.roles] }, expiresAt };
    await (await this.store()).create(keyOf(ticket), JSON.stringify(stored));
    return { ticket, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The caller a ticket was issued to; the ticket is spent. Unknown, spent or expired: 401. */
  async redeem(ticket: string): Promise<VerifiedCaller> {
    const refused = new DomainError('Unauthorized', 'The stream ticket is unknown, already used or expired; get a new one with POST /events/tickets.');
    if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) throw refused;
    const kv = await this.store();
    const key = keyOf(ticket);
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') throw refused;
    // Only one redemption's conditional delete succeeds; a concurrent one fails here.
    await kv.delete(key, { previousSeq: entry.revision }).catch(() => { throw refused; });
    const stored = entry.json<StoredTicket>();
    if (stored.expiresAt <= Date.now()) throw refused;
    return stored.caller;
  }

  private store(): Promise<KV> {
    if (!this.kv) {
      // Entries leave the bucket after the ticket lifetime (the expiry is also checked on redemption).
      const kvm = new Kvm(jetstream(this.nc));
      this.kv = kvm.create(this.bucket, {
        history: 1,
        ttl: this.config.EVENTS_TICKET_TTL_SECONDS * 1000,
        replicas: this.config.EVENTS_STREAM_REPLICAS,
      }).catch(() => kvm.open(this.bucket));
      this.kv.catch(() => { this.kv = undefined; });
    }
    return this.kv;
  }
}

function keyOf(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}
