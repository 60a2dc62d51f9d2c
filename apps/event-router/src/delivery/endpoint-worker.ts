import { AckPolicy, DeliverPolicy, jetstream, type ConsumerConfig, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { compileEventFilter, type CloudEventLike, type EventFilter } from '@odt/event-filter';
import type { NatsConnection } from '@nats-io/transport-node';
import { publishBatcher } from '@odt/messaging';
import type { Logger } from 'pino';
import type { DeadLetters } from './dead-letters';
import type { DeliveryTarget } from './delivery-target';

/** Sends one event to one endpoint; throws when the endpoint did not take it. */
export type Deliver = (target: DeliveryTarget, event: DigitalTwinsEvent, raw: Uint8Array) => Promise<void>;

/** The server redelivers an event unacknowledged this long; a held event is marked in progress well before. */
const ACK_WAIT_MS = 30_000;
const IN_PROGRESS_EVERY_MS = 10_000;
/** How long a stopping worker lets queued events finish before leaving them to the next owner. */
const DRAIN_MS = 5_000;

export type DeliveryOutcome = 'delivered' | 'failed' | 'deadlettered' | 'abandoned';

export interface WorkerLimits {
  /** Twins whose events are being delivered at the same time. */
  concurrency: number;
  /** Events received and not yet acknowledged (the consumer's `max_ack_pending`). */
  maxPending: number;
}

interface Held {
  msg: JsMsg;
  event: DigitalTwinsEvent;
  since: number;
}

/**
 * One endpoint's delivery, run by the one router replica that holds the endpoint's lease (see
 * `EndpointLeases`). Its own durable consumer of the events stream, so a slow or dead endpoint
 * delays no other. Events are spread over lanes, one per twin: a lane delivers its twin's events one
 * at a time in stream order (per-twin order), lanes run side by side (`concurrency`). A failed
 * delivery is retried in its lane with exponential backoff and jitter, holding back only that
 * twin's later events, until the endpoint's attempts or time-to-live run out: then it is
 * dead-lettered. An event is acknowledged once delivered, dead-lettered, or selected by no route.
 *
 * A new owner (after a crash, a rebalance or a reconnect) that finds events in flight recreates the
 * consumer at its acknowledgement floor: delivery resumes in stream order, and events the previous
 * owner delivered past that floor come again, with the same id, in their twin's order.
 */
export class EndpointWorker {
  private filters: EventFilter[] = [];
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readonly lanes = new Map<string, Held[]>();
  private readonly waiting: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly held = new Map<number, Held>();
  private highestSeq = 0;
  /** Stopping: no more retries. */
  private draining = false;
  /** Stopped: nothing more is delivered. */
  private stopping = false;
  private readonly wakeSleepers = new Set<() => void>();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private target: DeliveryTarget,
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly deliver: Deliver,
    private readonly deadLetters: DeadLetters,
    private readonly logger: Logger,
    private readonly limits: WorkerLimits,
    private readonly count: (endpoint: string, outcome: DeliveryOutcome) => void = () => undefined,
  ) {}

  get kind(): string {
    return this.target.endpoint.endpointType;
  }

  /** The routes' filters changed (or the endpoint's settings): applies to the next event. */
  update(target: DeliveryTarget, filters: string[]): void {
    this.target = target;
    this.filters = filters.map((f) => compileEventFilter(f));
  }

  async start(jsm: JetStreamManager): Promise<void> {
    const durable = consumerName(this.target.endpoint.name);
    const wanted: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: this.limits.maxPending,
      ack_wait: ACK_WAIT_MS * 1_000_000,
      max_deliver: -1,
    };
    const info = await jsm.consumers.info(this.stream, durable).catch(() => undefined);
    const interrupted = resuming.get(this.resumeKey);
    if (!info && interrupted !== undefined) {
      // A recreation was cut off between the delete and the add: finish it from the floor it read.
      await this.recreate(jsm, wanted, interrupted);
    } else if (!info) {
      // An endpoint receives what happens after it is first routed to, not the stream's history.
      await jsm.consumers.add(this.stream, { ...wanted, deliver_policy: DeliverPolicy.New });
    } else if (info.num_ack_pending > 0 || info.config.max_ack_pending !== this.limits.maxPending || info.config.ack_wait !== wanted.ack_wait) {
      // Events were in flight with the previous owner (or the settings changed): start again right
      // after the last event of the unbroken acknowledged prefix, in stream order.
      const from = info.ack_floor.stream_seq + 1;
      this.logger.info({ endpoint: this.target.endpoint.name, from, inFlight: info.num_ack_pending }, 'resuming endpoint delivery from its acknowledgement floor');
      resuming.set(this.resumeKey, from);
      await jsm.consumers.delete(this.stream, durable);
      await this.recreate(jsm, wanted, from);
    }
    const consumer = await jetstream(this.nc).consumers.get(this.stream, durable);
    this.messages = await consumer.consume({ max_messages: Math.min(512, this.limits.maxPending) });
    this.loop = this.run(this.messages);
    this.heartbeat = setInterval(() => this.markInProgress(), IN_PROGRESS_EVERY_MS);
  }

  private get resumeKey(): string {
    return `${this.stream}/${this.target.endpoint.name}`;
  }

  private async recreate(jsm: JetStreamManager, wanted: Partial<ConsumerConfig>, from: number): Promise<void> {
    await jsm.consumers.add(this.stream, { ...wanted, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from });
    resuming.delete(this.resumeKey);
  }

  /**
   * Stops taking events and lets the lanes deliver what they hold, for a few seconds and without
   * retrying: what is left stays unacknowledged, for the next owner.
   */
  async stop(): Promise<void> {
    this.draining = true;
    this.wakeAll();
    await this.messages?.close();
    await this.loop;
    const timer = setTimeout(() => {
      this.stopping = true;
      this.wakeAll();
    }, DRAIN_MS);
    while (this.running.size > 0) await Promise.all([...this.running]);
    clearTimeout(timer);
    clearInterval(this.heartbeat);
    // Our acknowledgements reach the server before the lease goes to another replica.
    publishBatcher(this.nc).flush();
    await this.nc.flush().catch(() => undefined);
  }

  /** Sent with the turn's other publishes: one socket write for all of them. */
  private ack(msg: JsMsg): void {
    publishBatcher(this.nc).later(() => msg.ack());
  }

  private wakeAll(): void {
    for (const wake of this.wakeSleepers) wake();
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (msg.seq <= this.highestSeq) {
        // Redelivered: held here already, or handled (its acknowledgement was lost).
        if (!this.held.has(msg.seq)) this.ack(msg);
        continue;
      }
      this.highestSeq = msg.seq;
      let event: DigitalTwinsEvent;
      try {
        event = msg.json<DigitalTwinsEvent>();
      } catch {
        msg.term();
        continue;
      }
      if (!this.filters.some((matches) => matches(event as unknown as CloudEventLike))) {
        this.ack(msg);
        continue;
      }
      this.enqueue({ msg, event, since: Date.now() });
    }
  }

  private enqueue(item: Held): void {
    this.held.set(item.msg.seq, item);
    const key = laneOf(item.event);
    const lane = this.lanes.get(key);
    if (lane) {
      lane.push(item);
      return;
    }
    this.lanes.set(key, [item]);
    if (this.running.size < this.limits.concurrency) this.runLane(key);
    else this.waiting.push(key);
  }

  private runLane(key: string): void {
    const task = this.drainLane(key).finally(() => {
      this.running.delete(task);
      const next = this.waiting.shift();
      if (next !== undefined) this.runLane(next);
    });
    this.running.add(task);
  }

  private async drainLane(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    while (lane.length > 0 && !this.stopping) {
      const item = lane[0];
      if (!(await this.handle(item))) break;
      lane.shift();
      this.held.delete(item.msg.seq);
    }
    // Whatever is left stays unacknowledged: the next owner starts again at or before it.
    for (const item of lane) this.held.delete(item.msg.seq);
    this.lanes.delete(key);
  }

  /** Delivers one event, retrying until delivered or dead-lettered (true), or until the worker stops (false). */
  private async handle({ msg, event }: Held): Promise<boolean> {
    const { endpoint } = this.target;
    // Attempts made before this owner received the event (redeliveries by the server) count too.
    let attempts = msg.info.deliveryCount - 1;
    for (;;) {
      attempts++;
      let reason: string;
      try {
        await this.deliver(this.target, event, msg.data);
        this.ack(msg);
        this.count(endpoint.name, 'delivered');
        return true;
      } catch (err) {
        reason = (err as Error).message;
      }
      this.count(endpoint.name, 'failed');
      const ageSeconds = (Date.now() - Date.parse(event.time)) / 1000;
      const exhausted = attempts >= (endpoint.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) || ageSeconds > (endpoint.retry?.ttlSeconds ?? DEFAULT_TTL_SECONDS);
      if (exhausted) {
        if (await this.giveUp(msg, event, reason, attempts)) return true;
      } else {
        const delayMs = Math.round(Math.min(60_000, 500 * 2 ** Math.min(attempts - 1, 7)) * (0.5 + Math.random()));
        this.logger.warn({ err: reason, endpoint: endpoint.name, eventId: event.id, attempts, delayMs }, 'delivery failed; will retry');
        await this.sleep(delayMs);
      }
      if (this.draining || this.stopping) return false;
    }
  }

  /** Past the attempts or the time-to-live: dead-letter the event. False when that failed too (try again later). */
  private async giveUp(msg: JsMsg, event: DigitalTwinsEvent, reason: string, attempts: number): Promise<boolean> {
    const { endpoint } = this.target;
    if (endpoint.deadLetter?.enabled === false) {
      this.logger.error({ err: reason, endpoint: endpoint.name, eventId: event.id, attempts }, 'delivery abandoned; dead-lettering is off for this endpoint');
      this.count(endpoint.name, 'abandoned');
      msg.term();
      return true;
    }
    try {
      await this.deadLetters.add(endpoint.name, event, reason, attempts);
    } catch (err) {
      // The dead-letter stream is out of reach: keep the event and try it all again later.
      this.logger.error({ err: (err as Error).message, endpoint: endpoint.name, eventId: event.id }, 'dead-lettering failed; will retry');
      await this.sleep(60_000);
      return false;
    }
    this.count(endpoint.name, 'deadlettered');
    this.logger.warn({ err: reason, endpoint: endpoint.name, eventId: event.id, attempts }, 'event dead-lettered');
    msg.term();
    return true;
  }

  /** Events held longer than a while are marked in progress, so the server does not send them again. */
  private markInProgress(): void {
    const before = Date.now() - IN_PROGRESS_EVERY_MS;
    for (const item of this.held.values()) if (item.since < before) item.msg.working();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.draining || this.stopping) return resolve();
      const wake = () => {
        clearTimeout(timer);
        this.wakeSleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeSleepers.add(wake);
    });
  }
}

/**
 * The twin an event is about, which orders it: the subject's first segment for twin and
 * relationship events (`<twin>` and `<twin>/relationships/<id>`), the source's twin for telemetry.
 */
export function laneOf(event: DigitalTwinsEvent): string {
  const at = event.source.lastIndexOf('/digitaltwins/');
  if (at >= 0) return event.source.slice(at + '/digitaltwins/'.length);
  const subject = event.subject ?? '';
  const slash = subject.indexOf('/');
  return slash < 0 ? subject : subject.slice(0, slash);
}

/**
 * Consumers being recreated at a floor (`<stream>/<endpoint>` → first sequence): kept until the new
 * consumer exists, so that a failure between the delete and the add does not restart the endpoint
 * at the stream's end, skipping events.
 */
const resuming = new Map<string, number>();

/** Event Grid's defaults for the next hop: 30 attempts, 24 hours. */
export const DEFAULT_MAX_ATTEMPTS = 30;
export const DEFAULT_TTL_SECONDS = 24 * 3600;

/** JetStream consumer names allow `A-Z a-z 0-9 - _`, as endpoint names do. */
export const consumerName = (endpoint: string): string => `endpoint-${endpoint}`;
