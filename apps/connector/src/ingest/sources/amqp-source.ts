import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { appendPatiently, decodePayload, pause, type RunningSource, type SourceContext, type SourceOf } from './source';

/**
 * An AMQP 0-9-1 source (RabbitMQ): consumes a durable queue with manual acks and a bounded
 * prefetch; a delivery is acknowledged once the ingest stream has it, so unacknowledged ones go
 * back to the queue if the connector goes away. Reconnects after a broker restart.
 */
export function startAmqpSource(source: SourceOf<'amqp'>, ctx: SourceContext, options: { prefetch: number }): RunningSource {
  let stopped = false;
  let current: ChannelModel | undefined;
  const url = new URL(source.url);
  if (source.username) url.username = encodeURIComponent(source.username);
  if (ctx.secret) url.password = encodeURIComponent(ctx.secret);

  const consume = async (channel: Channel, msg: ConsumeMessage) => {
    ctx.received();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(msg.properties.headers ?? {})) if (v !== undefined && v !== null) headers[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (msg.properties.contentType) headers['content-type'] = String(msg.properties.contentType);
    if (msg.properties.messageId) headers['message-id'] = String(msg.properties.messageId);
    const envelope = { topic: msg.fields.routingKey || source.queue, headers, payload: decodePayload(msg.content), receivedAt: new Date().toISOString() };
    if (await appendPatiently(ctx, envelope, () => stopped)) channel.ack(msg);
  };

  const run = async () => {
    while (!stopped) {
      try {
        const connection = await connect(url.toString());
        current = connection;
        const closed = new Promise<void>((resolve) => { connection.on('close', () => resolve()); connection.on('error', () => undefined); });
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        await channel.assertQueue(source.queue, { durable: true });
        await channel.prefetch(options.prefetch);
        // Deliveries are appended one after another, in queue order.
        let chain = Promise.resolve();
        await channel.consume(source.queue, (msg) => {
          if (!msg) return;
          chain = chain.then(() => consume(channel, msg)).catch((err: unknown) => ctx.logger.warn({ connection: ctx.connection, err: (err as Error).message }, 'amqp source delivery failed'));
        }, { noAck: false });
        ctx.logger.info({ connection: ctx.connection, queue: source.queue }, 'amqp source consuming');
        await closed;
        if (!stopped) ctx.logger.warn({ connection: ctx.connection }, 'amqp source connection closed; reconnecting');
      } catch (err) {
        ctx.logger.warn({ connection: ctx.connection, err: (err as Error).message }, 'amqp source cannot connect; retrying');
      }
      current = undefined;
      await pause(1000, () => stopped);
    }
  };
  const loop = run();
  return {
    async stop() {
      stopped = true;
      await current?.close().catch(() => undefined);
      await loop;
    },
  };
}
