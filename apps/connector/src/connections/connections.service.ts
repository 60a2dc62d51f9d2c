import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type Connection, type ConnectionDeadLetter, type ConnectionEnvelope, type ConnectionReplayReply, type ListPage, type TestConnectionReply } from '@odt/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeCursor, encodeCursor } from '@odt/graph-domain';
import { NATS_CONNECTION } from '@odt/messaging';
import { CONNECTOR_CONFIG, type ConnectorConfig } from '../config';
import { ConnectionApplier } from '../ingest/connection-applier';
import { ConnectionMetrics } from '../ingest/connection-metrics';
import { ConnectionSupervisor } from '../ingest/connection-supervisor';
import { removeNatsSourceConsumer } from '../ingest/sources/nats-source';
import { ConnectionMapping, type MappingLimits } from '../mapping/connection-mapping';
import { checkConnectionName, ConnectionErrors, parseConnection } from './connection-spec';
import { ConnectionsRepository } from './connections.repository';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Connections: their definitions, trying a mapping, HTTP messages, dead letters and their replay. */
@Injectable()
export class ConnectionsService {
  private readonly limits: MappingLimits;

  constructor(
    private readonly repo: ConnectionsRepository,
    private readonly supervisor: ConnectionSupervisor,
    private readonly applier: ConnectionApplier,
    private readonly metrics: ConnectionMetrics,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONNECTOR_CONFIG) private readonly config: ConnectorConfig,
  ) {
    this.limits = { timeoutMs: config.MAPPING_TIMEOUT_MS, stack: 200, maxOperations: config.MAPPING_MAX_OPERATIONS };
  }

  /** Create or replace; the mapping must compile (a `400 MappingInvalid` names the position otherwise). */
  async put(name: string, body: unknown): Promise<Connection> {
    checkConnectionName(name);
    const { connection, secret } = parseConnection(name, body);
    new ConnectionMapping(connection.mapping, this.limits);
    return this.repo.put(connection, secret);
  }

  async get(name: string): Promise<Connection> {
    const connection = await this.repo.get(name);
    if (!connection) throw ConnectionErrors.notFound(name);
    return connection;
  }

  async list(maxItemsPerPage: number, cursor: string | undefined): Promise<ListPage<Connection>> {
    const limit = Math.min(Math.max(1, maxItemsPerPage), this.config.CONNECTIONS_MAX_PAGE_SIZE);
    const after = cursor === undefined ? undefined : decodeCursor(cursor, (v): v is string => typeof v === 'string');
    const rows = await this.repo.list(after, limit + 1);
    const value = rows.slice(0, limit);
    return { value, ...(rows.length > limit ? { nextCursor: encodeCursor(value[value.length - 1].name) } : {}) };
  }

  async delete(name: string): Promise<void> {
    const connection = await this.repo.get(name);
    if (!connection || !(await this.repo.delete(name))) throw ConnectionErrors.notFound(name);
    await this.supervisor.ingest.remove(name);
    if (connection.source.type === 'nats') await removeNatsSourceConsumer(this.nc, this.config.EVENTS_STREAM, name, connection.source.subject);
  }

  /**
   * The operations a sample message maps to, applied to nothing. The body: `{topic?, headers?,
   * payload, mapping?}` (`mapping` tries another expression than the saved one).
   */
  async test(name: string, sample: unknown): Promise<TestConnectionReply> {
    const connection = await this.get(name);
    if (!isObject(sample) || !('payload' in sample)) throw ConnectionErrors.invalid('The sample must be {"payload": ..., "topic"?: "...", "headers"?: {...}, "mapping"?: "..."}.');
    const mappingSource = sample.mapping === undefined ? connection.mapping : sample.mapping;
    const mapping = new ConnectionMapping(mappingSource as string, this.limits);
    const headers = isObject(sample.headers) ? Object.fromEntries(Object.entries(sample.headers).map(([k, v]) => [k, String(v)])) : {};
    const envelope: ConnectionEnvelope = { topic: typeof sample.topic === 'string' ? sample.topic : '', headers, payload: sample.payload, receivedAt: new Date().toISOString() };
    return { envelope, operations: await mapping.evaluate(envelope) };
  }

  /** `POST /connections/{name}/messages`: into the ingest stream, answered once it has them all. */
  async send(name: string, messages: unknown[], headers: Record<string, string>): Promise<{ accepted: number }> {
    const connection = await this.get(name);
    if (connection.source.type !== 'http') throw ConnectionErrors.notHttp(name);
    if (!connection.enabled) throw ConnectionErrors.disabled(name);
    if (messages.length === 0) throw ConnectionErrors.invalid('No message to send.');
    if (messages.length > this.config.HTTP_MAX_MESSAGES) throw new DomainError('LimitExceeded', `At most ${this.config.HTTP_MAX_MESSAGES} messages per request.`);
    const receivedAt = new Date().toISOString();
    this.metrics.received.inc({ connection: name }, messages.length);
    // Sent side by side on one connection, so stored in request order; answered once all are stored
    // (a failure answers 503 and the client sends again: at least once).
    await Promise.all(messages.map((payload) => this.supervisor.ingest.append(name, { topic: name, headers, payload, receivedAt }))).catch((err: unknown) => {
      if (err instanceof DomainError) throw err;
      throw new DomainError('ServiceUnavailable', `The messages could not all be stored (${(err as Error).message}); send them again shortly.`);
    });
    return { accepted: messages.length };
  }

  async deadLetters(name: string, limit: number): Promise<{ value: ConnectionDeadLetter[] }> {
    await this.get(name);
    return { value: await this.repo.deadLetters(name, Math.min(Math.max(1, limit), 1000)) };
  }

  /**
   * Maps and applies the dead letters again with the connection's current mapping, oldest first,
   * each on its own: one that applies leaves the list, one that fails again stays with its new
   * reason. Stops when the twins service is out of reach.
   */
  async replay(name: string): Promise<ConnectionReplayReply> {
    const connection = await this.get(name);
    const mapping = new ConnectionMapping(connection.mapping, this.limits);
    const letters = await this.repo.deadLetters(name, 10_000);
    let replayed = 0;
    for (const letter of letters) {
      let outcome;
      try {
        [outcome] = await this.applier.apply(name, mapping, [{ envelope: letter.message, key: `dl${letter.id}` }]);
      } catch {
        break;
      }
      if (outcome.ok) {
        await this.repo.removeDeadLetter(letter.id);
        this.metrics.applied.inc({ connection: name });
        replayed++;
      } else {
        await this.repo.deadLetterFailedAgain(letter.id, outcome);
      }
    }
    return { replayed, remaining: await this.repo.countDeadLetters(name) };
  }
}
