import type { ServerResponse } from 'node:http';
import { Controller, Get, Headers, HttpCode, Inject, Post, Query, Req, Res, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import { compileEventFilter, EventFilterError, type CloudEventLike } from '@odt/event-filter';
import { InternalClient, NATS_CONNECTION } from '@odt/messaging';
import { Metrics, ROOT_LOGGER } from '@odt/service-kit';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { single } from '../http/request-context';
import { Requires } from '../auth/data-actions';
import { StreamTickets, type IssuedTicket } from './stream-tickets';
import { streamFrom } from './history-replay';

const HEARTBEAT_MS = 15_000;
/** Events pulled from JetStream ahead of the client: all a client can make the gateway hold, besides its socket's buffer. */
const PULL_BATCH = 64;
/** After the final event, a dropped client that still reads nothing is disconnected. */
const DROP_GRACE_MS = 10_000;

/**
 * Beyond ADT: `GET /events?filter=<route filter>` streams matching events as Server-Sent Events,
 * for dashboards and explorers. Each event's SSE id is its position in the events stream, so a
 * client that reconnects with `Last-Event-ID` (or `?lastEventId=`) resumes right after the last
 * event it saw. Back-pressure: the next events are pulled from JetStream only once the client's
 * socket has taken the previous ones, so a slow client costs the gateway at most a pull batch
 * and its socket's buffer; a client that has not taken what was written to it within
 * EVENTS_STALL_TIMEOUT_MS, or is more than EVENTS_MAX_LAG events behind the end of the stream,
 * gets a final `dropped` event (after what it has not read yet) and is disconnected.
 */
@Controller('events')
export class LiveEventsController implements OnModuleDestroy {
  /** Open streams, ended when the gateway shuts down (they would otherwise hold it open). */
  private readonly open = new Set<() => void>();
  private readonly dropped;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly tickets: StreamTickets,
    private readonly services: InternalClient,
    metrics: Metrics,
  ) {
    metrics.gauge('live_stream_clients', 'Clients connected to the live event stream (GET /events).', [], (g) => g.set(this.open.size));
    this.dropped = metrics.counter('live_stream_clients_dropped_total', 'Live-stream clients dropped for falling behind, by reason (stalled, lagging).', ['reason']);
  }

  onModuleDestroy(): void {
    for (const stop of [...this.open]) stop();
  }

  /** A single-use ticket for one `GET /events?ticket=…` as this caller (for `EventSource`, which sends no headers). */
  @Post('tickets')
  @Requires('events/read')
  @HttpCode(201)
  async ticket(@Req() req: FastifyRequest): Promise<IssuedTicket> {
    if (!req.caller) throw new DomainError('Unauthorized', 'The request is not authenticated.');
    return this.tickets.issue(req.caller);
  }

  @Get()
  @Requires('events/read')
  async stream(
    @Query('filter') filterParam: unknown,
    @Query('lastEventId') lastEventIdParam: unknown,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('from') fromParam?: unknown,
  ): Promise<void> {
    const filter = compileFilter(single(filterParam) ?? 'true');
    const lastEventId = lastEventIdHeader ?? single(lastEventIdParam);
    // Extension: `from=<time>` starts in the past, replayed from history where the stream no longer reaches.
    const from = lastEventId === undefined ? single(fromParam) : undefined;
    if (from !== undefined) return streamFrom({ nc: this.nc, stream: this.config.EVENTS_STREAM, services: this.services, open: this.open }, from, filter, req, reply);
    const resumeAfter = lastEventId === undefined ? undefined : Number(lastEventId);
    if (resumeAfter !== undefined && !(Number.isSafeInteger(resumeAfter) && resumeAfter >= 0)) {
      throw new DomainError('InvalidArgument', 'Last-Event-ID must be the id of an event this stream sent.');
    }
    const consumer = await jetstream(this.nc).consumers.get(this.config.EVENTS_STREAM, resumeAfter === undefined
      ? { deliver_policy: DeliverPolicy.New }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: resumeAfter + 1 });
    const messages = await consumer.consume({ max_messages: PULL_BATCH });

    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-ms-request-id': String(req.id) });
    raw.write(': connected\n\n');
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      this.open.delete(stop);
      void messages.close();
    };
    this.open.add(stop);
    req.raw.on('close', stop);
    let sent: number | undefined;
    let dropped: { reason: 'stalled' | 'lagging'; message: string } | undefined;
    try {
      for await (const msg of messages) {
        if (msg.info.pending > this.config.EVENTS_MAX_LAG) {
          dropped = { reason: 'lagging', message: `The client is more than ${this.config.EVENTS_MAX_LAG} events behind the stream.` };
          break;
        }
        const event = msg.json<CloudEventLike>();
        if (!filter(event)) continue;
        sent = msg.seq;
        if (!raw.write(`id: ${msg.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`) && !(await drained(raw, this.config.EVENTS_STALL_TIMEOUT_MS))) {
          if (stopped || raw.destroyed) break;
          dropped = { reason: 'stalled', message: `The client did not take the events sent to it within ${this.config.EVENTS_STALL_TIMEOUT_MS} ms.` };
          break;
        }
      }
    } finally {
      stop();
      if (dropped) this.drop(req, raw, dropped, sent);
      else raw.end();
    }
  }

  /** Tells the client why it is dropped (after what it has not read yet), then disconnects it. */
  private drop(req: FastifyRequest, raw: ServerResponse, why: { reason: string; message: string }, lastEventId: number | undefined): void {
    this.logger.warn({ requestId: String(req.id), reason: why.reason, lastEventId }, 'live stream client dropped');
    this.dropped.inc({ reason: why.reason });
    raw.end(`event: dropped\ndata: ${JSON.stringify({ ...why, ...(lastEventId === undefined ? {} : { lastEventId: String(lastEventId) }) })}\n\n`);
    const cutoff = setTimeout(() => raw.destroy(), DROP_GRACE_MS);
    cutoff.unref();
    raw.once('close', () => clearTimeout(cutoff));
  }
}

/** Resolves true once the socket has taken what is buffered, false when it has not within `ms`, or closes. */
function drained(raw: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      raw.off('drain', onDrain);
      raw.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    raw.once('drain', onDrain);
    raw.once('close', onClose);
  });
}

function compileFilter(text: string) {
  try {
    return compileEventFilter(text);
  } catch (err) {
    if (err instanceof EventFilterError) throw new DomainError('EventRouteFilterInvalid', `The filter is invalid: ${(err as Error).message}`);
    throw err;
  }
}
