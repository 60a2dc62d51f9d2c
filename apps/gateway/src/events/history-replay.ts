import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Subjects } from '@odt/contracts';
import type { CloudEventLike } from '@odt/event-filter';
import type { InternalClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';

const PAGE = 500;
const HEARTBEAT_MS = 15_000;

export interface ReplayDeps {
  nc: NatsConnection;
  stream: string;
  services: InternalClient;
  /** The controller's open streams, ended at shutdown. */
  open: Set<() => void>;
}

/**
 * `GET /events?from=<time>` (extension): the live stream starting in the past. A moment the
 * events stream still holds starts the stream there; an older one is replayed from the history
 * service up to its watermark W, and the stream takes over at W, skipping the events before W it
 * still holds (an event is stored in the stream after its time, so the stream from W holds every
 * event at or after W). Replayed events carry no SSE id.
 */
export async function streamFrom(deps: ReplayDeps, from: string, filter: (e: CloudEventLike) => boolean, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const raw = reply.raw;
  let head = false;
  const open = () => {
    if (head) return;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-ms-request-id': String(req.id) });
    raw.write(': connected\n\n');
    head = true;
  };
  const { start, skipBefore } = await replay(from, await jetstreamManager(deps.nc), deps, (json) => {
    open();
    const event = JSON.parse(json) as CloudEventLike;
    if (filter(event)) raw.write(`event: ${String(event.type)}\ndata: ${json}\n\n`);
  });
  const messages = await (await jetstream(deps.nc).consumers.get(deps.stream, { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start })).consume();
  open();
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
  const stop = () => {
    clearInterval(heartbeat);
    deps.open.delete(stop);
    void messages.close();
  };
  deps.open.add(stop);
  req.raw.on('close', stop);
  try {
    for await (const msg of messages) {
      const event = msg.json<CloudEventLike>();
      if (skipBefore !== undefined && String(event.time) < skipBefore) continue;
      if (filter(event)) raw.write(`id: ${msg.seq}\nevent: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
    }
  } finally {
    stop();
    raw.end();
  }
}

/** Replays from history what the stream no longer holds; returns where the stream takes over. */
async function replay(from: string, jsm: JetStreamManager, deps: ReplayDeps, send: (eventJson: string) => void): Promise<{ start: string; skipBefore?: string }> {
  const { state } = await jsm.streams.info(deps.stream);
  const fromMs = Date.parse(from);
  if (state.messages > 0 && !Number.isNaN(fromMs) && fromMs >= Date.parse(state.first_ts)) return { start: new Date(fromMs).toISOString() };
  let after: string | undefined;
  let watermark: string | undefined;
  for (;;) {
    const page = await deps.services.request(Subjects.HistoryEvents, { from, after, limit: PAGE });
    watermark = page.watermark;
    for (const event of page.events) send(event);
    if (page.events.length < PAGE || !page.last) break;
    after = page.last;
  }
  const start = watermark ?? new Date().toISOString();
  return { start, skipBefore: start };
}
