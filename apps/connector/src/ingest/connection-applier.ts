import { Injectable } from '@nestjs/common';
import { DomainError, Subjects, type ConnectionEnvelope, type MappedOperation, type PatchManyItem } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import { MappingError, type ConnectionMapping } from '../mapping/connection-mapping';

/** A message to apply: its envelope and a stable key (for telemetry `Message-Id`s that survive redelivery). */
export interface Incoming {
  envelope: ConnectionEnvelope;
  key: string;
}

export type Outcome =
  | { ok: true; applied: number }
  | { ok: false; stage: 'decode' | 'map' | 'apply'; code: string; reason: string; position?: number };

/** Failures worth trying again (the twins service or NATS away), as opposed to a refused message. */
const TRANSIENT = new Set(['ServiceUnavailable', 'GatewayTimeout', 'InternalServerError', 'TooManyRequests']);

export class TransientFailure extends Error {}

/**
 * Maps a batch of messages and applies what they ask for: every twin patch of the batch in one
 * `odt.twins.patch-many` call (item order = message order, so per-twin order holds), then the
 * telemetry, each twin's in order. A message whose mapping fails, or one of whose writes is
 * refused, gets a failed outcome (for its dead letter); the twins service being unreachable is a
 * `TransientFailure` for the whole batch, which the caller retries.
 */
@Injectable()
export class ConnectionApplier {
  constructor(private readonly services: InternalClient) {}

  async apply(connection: string, mapping: ConnectionMapping, batch: Incoming[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = batch.map(() => ({ ok: true, applied: 0 }));
    const patches: { item: PatchManyItem; message: number }[] = [];
    const telemetry: { op: Extract<MappedOperation, { kind: 'telemetry' }>; message: number; index: number }[] = [];
    for (const [m, incoming] of batch.entries()) {
      let ops: MappedOperation[];
      try {
        ops = await mapping.evaluate(incoming.envelope);
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        outcomes[m] = { ok: false, stage: 'map', code: err.code, reason: err.message, ...(err.position === undefined ? {} : { position: err.position }) };
        continue;
      }
      ops.forEach((op, index) => {
        if (op.kind === 'patch') patches.push({ message: m, item: { id: op.twinId, patch: op.patch, ...(op.createModel ? { createModel: op.createModel } : {}) } });
        else telemetry.push({ op, message: m, index });
      });
    }
    const fail = (m: number, code: string, reason: string) => {
      if (outcomes[m].ok) outcomes[m] = { ok: false, stage: 'apply', code, reason };
    };
    if (patches.length > 0) {
      const reply = await this.call(() => this.services.request(Subjects.TwinsPatchMany, { items: patches.map((p) => p.item) }))
        .catch((err: unknown) => {
          if (err instanceof TransientFailure) throw err;
          for (const p of patches) fail(p.message, (err as DomainError).code, (err as Error).message);
          return { results: [] };
        });
      reply.results.forEach((r, i) => {
        const { message, item } = patches[i];
        if ('error' in r) fail(message, r.error.code, `twin ${item.id}: ${r.error.message}`);
        else { const o = outcomes[message]; if (o.ok) o.applied++; }
      });
    }
    await this.sendTelemetry(connection, batch, telemetry, outcomes, fail);
    return outcomes;
  }

  private async sendTelemetry(
    connection: string, batch: Incoming[], telemetry: { op: Extract<MappedOperation, { kind: 'telemetry' }>; message: number; index: number }[],
    outcomes: Outcome[], fail: (m: number, code: string, reason: string) => void,
  ): Promise<void> {
    const byTwin = new Map<string, typeof telemetry>();
    for (const t of telemetry) byTwin.set(t.op.twinId, [...(byTwin.get(t.op.twinId) ?? []), t]);
    await Promise.all([...byTwin.values()].map(async (list) => {
      for (const { op, message, index } of list) {
        const messageId = op.messageId ?? `${connection}-${batch[message].key}-${index}`;
        try {
          await this.call(() => this.services.request(Subjects.TelemetryPublish, {
            id: op.twinId, messageId, payload: op.telemetry, ...(op.component ? { component: op.component } : {}), ...(op.sourceTime ? { sourceTime: op.sourceTime } : {}),
          }));
          const o = outcomes[message];
          if (o.ok) o.applied++;
        } catch (err) {
          if (err instanceof TransientFailure) throw err;
          fail(message, (err as DomainError).code, `telemetry of twin ${op.twinId}: ${(err as Error).message}`);
        }
      }
    }));
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      if (err instanceof DomainError && !TRANSIENT.has(err.code)) throw err;
      throw new TransientFailure((err as Error).message);
    }
  }
}
