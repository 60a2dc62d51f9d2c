import type { DigitalTwinsEvent } from '@odt/contracts';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { DeliveryTarget } from './delivery-target';

/** The CloudEvents attributes ADT sets as `cloudEvents:`-prefixed application properties. */
const ATTRIBUTES = ['id', 'source', 'specversion', 'type', 'time', 'subject', 'dataschema', 'traceparent'] as const;

/**
 * Delivers to an `amqp` endpoint (RabbitMQ and other AMQP 0-9-1 brokers) the way ADT delivers to
 * Event Hubs and Service Bus: the attributes as `cloudEvents:*` headers, the data as a JSON body,
 * persistent, done once the broker confirms it. One confirm channel per broker URL.
 */
export class AmqpDelivery {
  private readonly channels = new Map<string, Promise<{ connection: ChannelModel; channel: ConfirmChannel }>>();

  async deliver(target: DeliveryTarget, event: DigitalTwinsEvent): Promise<void> {
    const { channel } = await this.channel(target.endpoint.url!);
    const headers: Record<string, string> = {};
    for (const name of ATTRIBUTES) {
      const value = (event as unknown as Record<string, unknown>)[name];
      if (typeof value === 'string') headers[`cloudEvents:${name}`] = value;
    }
    await new Promise<void>((resolve, reject) => {
      channel.publish(target.endpoint.exchange!, target.endpoint.routingKey ?? '', Buffer.from(JSON.stringify(event.data)), {
        contentType: 'application/json',
        messageId: event.id,
        persistent: true,
        headers,
      }, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    });
  }

  async close(): Promise<void> {
    const opened = await Promise.allSettled([...this.channels.values()]);
    await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.connection.close().catch(() => undefined) : undefined)));
  }

  private channel(url: string): Promise<{ connection: ChannelModel; channel: ConfirmChannel }> {
    let opened = this.channels.get(url);
    if (!opened) {
      opened = (async () => {
        const connection = await connect(url);
        const channel = await connection.createConfirmChannel();
        // A broken connection or channel (e.g. a missing exchange) is dropped and reopened on next use.
        const forget = () => this.channels.delete(url);
        connection.on('close', forget);
        connection.on('error', forget);
        channel.on('close', forget);
        channel.on('error', forget);
        return { connection, channel };
      })();
      opened.catch(() => this.channels.delete(url));
      this.channels.set(url, opened);
    }
    return opened;
  }
}
