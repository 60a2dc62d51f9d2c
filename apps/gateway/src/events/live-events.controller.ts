import { Controller, Get, Headers, Inject, Query, Req, Res, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import { compileEventFilter, EventFilterError, type CloudEventLike } from '@odt/event-filter';
import { NATS_CONNECTION } from '@odt/messaging';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { single } from '../http/request-context';
import { Requires } from '../auth/data-actions';

const HEARTBEAT_MS = 15_000;

/**
 * Beyond ADT: `GET /events?filter=<route filter>` streams matching events as Server-Sent Events,
 * for dashboards and explorers. Each event's SSE id is its position in the events stream, so a
 * client that reconnects with `Last-Event-ID` resumes right after the last event it saw.
 */
@Controller('events')
export class LiveEventsController implements OnModuleDestroy {
  /** Open streams, ended when the gateway shuts down (they would otherwise hold it open). */
  private readonly open = new Set<() => void>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleDestroy(): void {
    for (const stop of [...this.open]) stop();
  }

  @Get()
  @Requires('events/read')
  async stream(
    @Query('filter') filterParam: unknown,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const filter = compileFilter(single(filterParam) ?? 'true');
    const resumeAfter = lastEventId === undefined ? undefined : Number(lastEventId);
    if (resumeAfter !== undefined && !(Number.isSafeInteger(resumeAfter) && resumeAfter >= 0)) {
      throw new DomainError('InvalidArgument', 'Last-Event-ID must be the id of an event this stream sent.');
    }
    const consumer = await jetstream(this.nc).consumers.get(this.config.EVENTS_STREAM, resumeAfter === undefined
      ? { deliver_policy: DeliverPolicy.New }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: resumeAfter + 1 });
    const messages = await consumer.consume();

    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-ms-request-id': String(req.id) });
    raw.write(': connected\n\n');
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
    const stop = () => {
      clearInterval(heartbeat);
      this.open.delete(stop);
      void messages.close();
    };
    this.open.add(stop);
    req.raw.on('close', stop);
    try {
      for await (const msg of messages) {
        const event = msg.json<CloudEventLike>();
        if (filter(event)) raw.write(`id: ${msg.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      }
    } finally {
      stop();
      raw.end();
    }
  }
}

function compileFilter(text: string) {
  try {
    return compileEventFilter(text);
  } catch (err) {
    if (err instanceof EventFilterError) throw new DomainError('EventRouteFilterInvalid', `The filter is invalid: ${(err as Error).message}`);
    throw err;
  }
}
