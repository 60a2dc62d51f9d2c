import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { ensureEventsStream, NATS_CONNECTION, publishBatcher } from '@odt/messaging';
import { ROOT_LOGGER } from '@odt/service-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

/**
 * Consumes every event through a durable pull consumer shared by the router replicas and
 * acknowledges it (a debug log line each): its pending count is the router's overall lag, the
 * signal the deployment scales on (KEDA). Delivery to endpoints has consumers of its own.
 */
@Injectable()
export class EventConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await ensureEventsStream(this.nc, this.config.EVENTS_STREAM, this.config.EVENTS_SUBJECT_PREFIX, this.config.EVENTS_STREAM_REPLICAS);
    const durable = this.config.ROUTER_CONSUMER;
    await jsm.consumers.info(this.config.EVENTS_STREAM, durable).catch(() =>
      jsm.consumers.add(this.config.EVENTS_STREAM, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 30_000_000_000,
        max_ack_pending: 1000,
      }),
    );
    const consumer = await jetstream(this.nc).consumers.get(this.config.EVENTS_STREAM, durable);
    this.messages = await consumer.consume({ max_messages: 256 });
    this.loop = this.run(this.messages);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.messages?.close();
    await this.loop;
    publishBatcher(this.nc).flush();
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    // Decoded only for the debug line: the endpoints' own consumers decode what they deliver.
    const logEach = this.logger.isLevelEnabled('debug');
    for await (const msg of messages) {
      if (logEach) {
        try {
          const event = msg.json<DigitalTwinsEvent>();
          this.logger.debug({ eventId: event.id, type: event.type, subject: event.subject, seq: msg.seq }, 'event received');
        } catch {
          this.logger.debug({ seq: msg.seq }, 'undecodable event received');
        }
      }
      // Sent with the turn's other publishes: one socket write for all of them.
      publishBatcher(this.nc).later(() => msg.ack());
    }
  }
}
