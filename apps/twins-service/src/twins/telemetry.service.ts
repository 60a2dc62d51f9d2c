import { Inject, Injectable } from '@nestjs/common';
import { EventTypes, eventSubject, type PublishTelemetryRequest } from '@odt/contracts';
import { NATS_CONNECTION } from '@odt/messaging';
import { ModelCatalog } from '@odt/model-catalog';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { TWINS_CONFIG, type TwinsConfig } from '../config';
import { telemetryEvent } from './telemetry-event';
import { isRfc3339 } from './timestamps';
import { componentOf } from './twin-document';
import { checkGraphId } from '@odt/graph-domain';
import { TwinErrors } from './twins.errors';
import { TwinsRepository } from './twins.repository';

/**
 * ADT endpoints 19–20. Telemetry is neither stored nor validated against the model (reference
 * §3.7), so it skips the outbox: the event goes straight to JetStream and the call succeeds only
 * once the stream has acknowledged it. No `Nats-Msg-Id` is set: ADT promises no de-duplication,
 * and the stream's duplicate window is stream-wide, so two twins (or devices) reusing a
 * Message-Id within it would silently lose telemetry.
 */
@Injectable()
export class TelemetryService {
  private readonly js: JetStreamClient;
  private readonly subject: string;
  private readonly timeoutMs: number;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(TWINS_CONFIG) private readonly config: TwinsConfig,
    private readonly repo: TwinsRepository,
    private readonly catalog: ModelCatalog,
  ) {
    this.js = jetstream(nc);
    this.subject = eventSubject(config.EVENTS_SUBJECT_PREFIX, EventTypes.Telemetry);
    // Answer before the caller's request times out.
    this.timeoutMs = Math.max(100, Math.floor(config.NATS_REQUEST_TIMEOUT_MS / 2));
  }

  async publish(req: PublishTelemetryRequest): Promise<void> {
    checkGraphId('digital twin', req.id);
    if (typeof req.messageId !== 'string' || req.messageId.length === 0) throw TwinErrors.missingMessageId();
    if (req.payload === undefined) throw TwinErrors.missingPayload();
    if (req.sourceTime !== undefined && !isRfc3339(req.sourceTime)) throw TwinErrors.badSourceTime(req.sourceTime);
    const row = await this.repo.get(req.id);
    if (!row) throw TwinErrors.notFound(req.id);
    let dataschema: string | undefined = row.model_id;
    if (req.component !== undefined) {
      if (!componentOf(row.document, req.component)) throw TwinErrors.componentNotFound(req.id, req.component);
      // A twin whose model was deleted keeps its components; its telemetry then goes without a dataschema.
      const model = await this.catalog.resolve(row.model_id);
      dataschema = model?.info.flattened.components[req.component];
    }
    const event = telemetryEvent({
      twinId: req.id,
      component: req.component,
      messageId: req.messageId,
      sourceTime: req.sourceTime,
      dataschema,
      payload: req.payload,
      eventsSource: this.config.EVENTS_SOURCE,
    });
    try {
      await this.js.publish(this.subject, JSON.stringify(event), { timeout: this.timeoutMs });
    } catch (err) {
      throw TwinErrors.telemetryNotPublished((err as Error).message);
    }
  }
}
