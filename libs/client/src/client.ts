import type { DeadLetterView, DigitalTwin, Endpoint, EventRoute, IncomingRelationship, ModelData, PropertyValue, AggregatedValue, Relationship } from '@odt/contracts';
import { PagedIterable, tokenOfNextLink, type Page } from './paging';
import { parseEventStream } from './sse';
import { Transport, type RequestBody, type RequestOptions, type TransportOptions } from './http';
import { ifMatch, type BatchOperation, type BatchResult, type Connection, type ConnectionDeadLetter, type ConnectionTestMessage, type ConnectionTestResult, type DeleteJob, type ETagLike, type ExportJob, type ImportJob, type JsonPatchOperation, type StreamEvent } from './types';

export type ClientOptions = TransportOptions;

interface Collection<T> {
  value: T[];
  nextLink?: string | null;
}

const enc = encodeURIComponent;
const etagHeader = (etag: ETagLike | undefined): string | undefined => (etag === undefined ? undefined : ifMatch(etag));

/** Options of a paged listing. */
export interface PageOptions {
  /** The most items a page should hold (the server may send fewer). */
  maxItemsPerPage?: number;
  signal?: AbortSignal;
}

/** Options of a read of the past (history extension, docs/history.md). */
export interface AsOfOptions {
  /** ISO 8601 moment: the entity as it was then. */
  asOf?: string;
}

/**
 * A typed client of the public API: ADT's data plane (models, twins, components, relationships,
 * telemetry, query, event routes, jobs) and our extensions (endpoints, dead letters, the live
 * event stream, history, connections, batch, cascade delete, export). Works wherever `fetch` does.
 */
export class DigitalTwinsApi {
  readonly transport: Transport;

  constructor(options: ClientOptions) {
    this.transport = new Transport(options);
  }

  /** A listing that follows `nextLink` (its continuation token, on this client's base URL). */
  private paged<T>(path: string, options: PageOptions & { query?: RequestOptions['query'] } = {}): PagedIterable<T> {
    return new PagedIterable<T>(async (continuationToken) => {
      const body = await this.transport.json<Collection<T>>(path, {
        query: { ...options.query, continuationToken },
        headers: { 'max-items-per-page': options.maxItemsPerPage?.toString() },
        signal: options.signal,
      });
      const next = tokenOfNextLink(body.nextLink);
      return { value: body.value, ...(next ? { continuationToken: next } : {}) };
    });
  }

  // Models ------------------------------------------------------------------------------------

  readonly models = {
    /** Uploads models in one call, all or nothing; a batch may reference its own models in any order. */
    create: (models: unknown[]): Promise<ModelData[]> => this.transport.json('/models', { method: 'POST', json: models }),
    list: (options: PageOptions & { dependenciesFor?: string[]; includeModelDefinition?: boolean } = {}): PagedIterable<ModelData> =>
      this.paged('/models', { ...options, query: { dependenciesFor: options.dependenciesFor, includeModelDefinition: options.includeModelDefinition || undefined } }),
    get: (id: string, options: { includeModelDefinition?: boolean } = {}): Promise<ModelData> =>
      this.transport.json(`/models/${enc(id)}`, { query: { includeModelDefinition: options.includeModelDefinition || undefined } }),
    decommission: async (id: string): Promise<void> => {
      await this.transport.send(`/models/${enc(id)}`, { method: 'PATCH', json: [{ op: 'replace', path: '/decommissioned', value: true }], contentType: 'application/json-patch+json' });
    },
    delete: async (id: string): Promise<void> => {
      await this.transport.send(`/models/${enc(id)}`, { method: 'DELETE' });
    },
  };

  // Twins -------------------------------------------------------------------------------------

  readonly twins = {
    get: (id: string, options: AsOfOptions = {}): Promise<DigitalTwin> => this.transport.json(`/digitaltwins/${enc(id)}`, { query: { asOf: options.asOf } }),
    /** Creates or replaces; `ifNoneMatch: '*'` creates only. */
    upsert: (id: string, twin: Record<string, unknown>, options: { ifNoneMatch?: '*' } = {}): Promise<DigitalTwin> =>
      this.transport.json(`/digitaltwins/${enc(id)}`, { method: 'PUT', json: twin, headers: { 'if-none-match': options.ifNoneMatch } }),
    /** JSON Patch; `ifMatch` (an ETag or the twin read before) makes it conditional. Resolves to the new ETag. */
    update: async (id: string, patch: JsonPatchOperation[], options: { ifMatch?: ETagLike } = {}): Promise<{ etag: string | null }> => {
      const res = await this.transport.send(`/digitaltwins/${enc(id)}`, { method: 'PATCH', json: patch, contentType: 'application/json-patch+json', headers: { 'if-match': etagHeader(options.ifMatch) } });
      return { etag: res.headers.get('etag') };
    },
    /** `cascade` (ours): the twin with all its outgoing and incoming relationships, in one transaction. */
    delete: async (id: string, options: { ifMatch?: ETagLike; cascade?: boolean } = {}): Promise<void> => {
      await this.transport.send(`/digitaltwins/${enc(id)}`, { method: 'DELETE', query: { cascade: options.cascade || undefined }, headers: { 'if-match': etagHeader(options.ifMatch) } });
    },
    getComponent: (id: string, component: string): Promise<Record<string, unknown>> => this.transport.json(`/digitaltwins/${enc(id)}/components/${enc(component)}`),
    updateComponent: async (id: string, component: string, patch: JsonPatchOperation[], options: { ifMatch?: ETagLike } = {}): Promise<{ etag: string | null }> => {
      const res = await this.transport.send(`/digitaltwins/${enc(id)}/components/${enc(component)}`, { method: 'PATCH', json: patch, contentType: 'application/json-patch+json', headers: { 'if-match': etagHeader(options.ifMatch) } });
      return { etag: res.headers.get('etag') };
    },
    sendTelemetry: async (id: string, telemetry: unknown, options: { messageId?: string; sourceTime?: string; component?: string } = {}): Promise<void> => {
      const path = options.component ? `/digitaltwins/${enc(id)}/components/${enc(options.component)}/telemetry` : `/digitaltwins/${enc(id)}/telemetry`;
      const messageId = options.messageId ?? globalThis.crypto.randomUUID();
      await this.transport.send(path, { method: 'POST', json: telemetry, headers: { 'message-id': messageId, 'telemetry-source-time': options.sourceTime } });
    },
    /** A property's values over time (ours, docs/history.md): raw, newest first with `lastN`, or bucketed. */
    history: (id: string, options: PageOptions & { property?: string; from?: string; to?: string; lastN?: number; aggregate?: string; interval?: string } = {}): PagedIterable<PropertyValue | AggregatedValue> =>
      this.paged(`/digitaltwins/${enc(id)}/history`, { ...options, query: { property: options.property, from: options.from, to: options.to, lastN: options.lastN, aggregate: options.aggregate, interval: options.interval } }),
  };

  // Relationships -----------------------------------------------------------------------------

  readonly relationships = {
    get: (sourceId: string, relationshipId: string, options: AsOfOptions = {}): Promise<Relationship> =>
      this.transport.json(`/digitaltwins/${enc(sourceId)}/relationships/${enc(relationshipId)}`, { query: { asOf: options.asOf } }),
    upsert: (sourceId: string, relationshipId: string, relationship: Record<string, unknown>, options: { ifNoneMatch?: '*' } = {}): Promise<Relationship> =>
      this.transport.json(`/digitaltwins/${enc(sourceId)}/relationships/${enc(relationshipId)}`, { method: 'PUT', json: relationship, headers: { 'if-none-match': options.ifNoneMatch } }),
    update: async (sourceId: string, relationshipId: string, patch: JsonPatchOperation[], options: { ifMatch?: ETagLike } = {}): Promise<{ etag: string | null }> => {
      const res = await this.transport.send(`/digitaltwins/${enc(sourceId)}/relationships/${enc(relationshipId)}`, { method: 'PATCH', json: patch, contentType: 'application/json-patch+json', headers: { 'if-match': etagHeader(options.ifMatch) } });
      return { etag: res.headers.get('etag') };
    },
    delete: async (sourceId: string, relationshipId: string, options: { ifMatch?: ETagLike } = {}): Promise<void> => {
      await this.transport.send(`/digitaltwins/${enc(sourceId)}/relationships/${enc(relationshipId)}`, { method: 'DELETE', headers: { 'if-match': etagHeader(options.ifMatch) } });
    },
    /** Outgoing relationships, of one name when `relationshipName` is given. */
    list: (twinId: string, options: PageOptions & AsOfOptions & { relationshipName?: string } = {}): PagedIterable<Relationship> =>
      this.paged(`/digitaltwins/${enc(twinId)}/relationships`, { ...options, query: { relationshipName: options.relationshipName, asOf: options.asOf } }),
    listIncoming: (twinId: string, options: PageOptions = {}): PagedIterable<IncomingRelationship> => this.paged(`/digitaltwins/${enc(twinId)}/incomingrelationships`, options),
  };

  // Query -------------------------------------------------------------------------------------

  /** Runs a query; rows stream page by page (`byPage()` also gives each page's query charge). */
  query<T = Record<string, unknown>>(query: string, options: PageOptions & AsOfOptions = {}): PagedIterable<T> {
    return new PagedIterable<T>(async (continuationToken): Promise<Page<T>> => {
      const res = await this.transport.send('/query', {
        method: 'POST',
        json: continuationToken ? { continuationToken } : { query, ...(options.asOf ? { asOf: options.asOf } : {}) },
        headers: { 'max-items-per-page': options.maxItemsPerPage?.toString() },
        signal: options.signal,
      });
      const body = (await res.json()) as { value: T[]; continuationToken: string | null };
      const charge = Number(res.headers.get('query-charge'));
      return { value: body.value, ...(body.continuationToken ? { continuationToken: body.continuationToken } : {}), ...(Number.isFinite(charge) ? { charge } : {}) };
    });
  }

  // Event routes and endpoints ----------------------------------------------------------------

  readonly eventRoutes = {
    list: (options: PageOptions = {}): PagedIterable<EventRoute> => this.paged('/eventroutes', options),
    get: (id: string): Promise<EventRoute> => this.transport.json(`/eventroutes/${enc(id)}`),
    upsert: async (id: string, route: { endpointName: string; filter: string }): Promise<void> => {
      await this.transport.send(`/eventroutes/${enc(id)}`, { method: 'PUT', json: route });
    },
    delete: async (id: string): Promise<void> => {
      await this.transport.send(`/eventroutes/${enc(id)}`, { method: 'DELETE' });
    },
  };

  /** Endpoints (ours: ADT keeps them in its control plane). */
  readonly endpoints = {
    list: (options: PageOptions = {}): PagedIterable<Endpoint> => this.paged('/endpoints', options),
    get: (name: string): Promise<Endpoint> => this.transport.json(`/endpoints/${enc(name)}`),
    upsert: (name: string, endpoint: Record<string, unknown>): Promise<Endpoint> => this.transport.json(`/endpoints/${enc(name)}`, { method: 'PUT', json: endpoint }),
    delete: async (name: string): Promise<void> => {
      await this.transport.send(`/endpoints/${enc(name)}`, { method: 'DELETE' });
    },
    deadLetters: async (name: string, options: { maxItemsPerPage?: number } = {}): Promise<DeadLetterView[]> =>
      (await this.transport.json<{ value: DeadLetterView[] }>(`/endpoints/${enc(name)}/deadletters`, { headers: { 'max-items-per-page': options.maxItemsPerPage?.toString() } })).value,
    replayDeadLetters: (name: string): Promise<{ replayed: number; remaining: number }> => this.transport.json(`/endpoints/${enc(name)}/deadletters/replay`, { method: 'POST' }),
  };

  // Live events -------------------------------------------------------------------------------

  readonly events = {
    /** The live event stream (SSE) from now, or after `lastEventId`; ends when `signal` aborts. */
    stream: async function* (this: DigitalTwinsApi, options: { filter?: string; lastEventId?: string; signal?: AbortSignal } = {}): AsyncGenerator<StreamEvent> {
      const res = await this.transport.send('/events', { query: { filter: options.filter }, headers: { accept: 'text/event-stream', 'last-event-id': options.lastEventId }, signal: options.signal });
      if (!res.body) return;
      yield* parseEventStream(res.body);
    }.bind(this),
    /** A single-use ticket for a browser's `EventSource` (which cannot send `Authorization`). */
    createTicket: (): Promise<{ ticket: string; expiresAt?: string }> => this.transport.json('/events/tickets', { method: 'POST' }),
  };

  // Jobs (ADT's Jobs API, plus direct upload and export) --------------------------------------

  readonly jobs = {
    imports: {
      /** ADT's form: the file at a URL (`file:///name` inside the server's jobs directory, or http(s)). */
      create: (id: string, job: { inputBlobUri: string; outputBlobUri?: string }): Promise<ImportJob> => this.transport.json(`/jobs/imports/${enc(id)}`, { method: 'PUT', json: job }),
      /** Ours: the NDJSON file as the request body, streamed (a string, bytes, a Blob or a ReadableStream). */
      upload: (id: string, ndjson: RequestBody, options: { gzip?: boolean } = {}): Promise<ImportJob> =>
        this.transport.json(`/jobs/imports/${enc(id)}`, { method: 'PUT', body: ndjson, contentType: 'application/x-ndjson', headers: { 'content-encoding': options.gzip ? 'gzip' : undefined } }),
      get: (id: string): Promise<ImportJob> => this.transport.json(`/jobs/imports/${enc(id)}`),
      list: (options: PageOptions = {}): PagedIterable<ImportJob> => this.paged('/jobs/imports', options),
      delete: async (id: string): Promise<void> => {
        await this.transport.send(`/jobs/imports/${enc(id)}`, { method: 'DELETE' });
      },
      cancel: (id: string): Promise<ImportJob> => this.transport.json(`/jobs/imports/${enc(id)}/cancel`, { method: 'POST' }),
      /** The job's log, one parsed NDJSON line at a time. */
      output: (id: string): AsyncGenerator<unknown> => this.ndjson(`/jobs/imports/${enc(id)}/output`),
    },
    deletions: {
      /** Deletes every model, twin and relationship (asks nothing: confirm before calling). */
      create: async (options: { operationId?: string; timeoutInMinutes?: number } = {}): Promise<DeleteJob> =>
        this.transport.json(`/jobs/deletions`, { method: 'POST', query: { timeoutInMinutes: options.timeoutInMinutes }, headers: { 'operation-id': options.operationId } }),
      get: (id: string): Promise<DeleteJob> => this.transport.json(`/jobs/deletions/${enc(id)}`),
      list: (options: PageOptions = {}): PagedIterable<DeleteJob> => this.paged('/jobs/deletions', options),
    },
    exports: {
      /** Ours: the graph (or the twins `query` selects, with their relationships) in the import format. */
      create: (id: string, job: { query?: string; outputBlobUri?: string } = {}): Promise<ExportJob> => this.transport.json(`/jobs/exports/${enc(id)}`, { method: 'PUT', json: job }),
      get: (id: string): Promise<ExportJob> => this.transport.json(`/jobs/exports/${enc(id)}`),
      list: (options: PageOptions = {}): PagedIterable<ExportJob> => this.paged('/jobs/exports', options),
      /** The exported file, one parsed NDJSON line at a time. */
      output: (id: string): AsyncGenerator<unknown> => this.ndjson(`/jobs/exports/${enc(id)}/output`),
      /** The exported file as a byte stream (to write it to disk as it comes). */
      download: async (id: string): Promise<ReadableStream<Uint8Array>> => {
        const res = await this.transport.send(`/jobs/exports/${enc(id)}/output`, { headers: { accept: 'application/x-ndjson' } });
        if (!res.body) throw new Error('The export has no body.');
        return res.body;
      },
    },
  };

  // Connections, batch (ours, issue 15) -------------------------------------------------------

  readonly connections = {
    list: (options: PageOptions = {}): PagedIterable<Connection> => this.paged('/connections', options),
    get: (name: string): Promise<Connection> => this.transport.json(`/connections/${enc(name)}`),
    upsert: (name: string, connection: Connection): Promise<Connection> => this.transport.json(`/connections/${enc(name)}`, { method: 'PUT', json: connection }),
    delete: async (name: string): Promise<void> => {
      await this.transport.send(`/connections/${enc(name)}`, { method: 'DELETE' });
    },
    /** Runs the mapping (or `sample.mapping`) on a sample message and answers the operations, applying nothing. */
    test: (name: string, sample: ConnectionTestMessage): Promise<ConnectionTestResult> => this.transport.json(`/connections/${enc(name)}/test`, { method: 'POST', json: sample }),
    /** An `http` connection's messages (one payload, or an array of them); resolves once they are stored for mapping. */
    sendMessages: (name: string, messages: unknown): Promise<{ accepted: number }> => this.transport.json(`/connections/${enc(name)}/messages`, { method: 'POST', json: messages }),
    /** What the connection could not apply, oldest first, with why. */
    deadLetters: async (name: string, options: { maxItemsPerPage?: number } = {}): Promise<ConnectionDeadLetter[]> =>
      (await this.transport.json<{ value: ConnectionDeadLetter[] }>(`/connections/${enc(name)}/deadletters`, { headers: { 'max-items-per-page': options.maxItemsPerPage?.toString() } })).value,
    /** Maps and applies the dead letters again with the current mapping. */
    replayDeadLetters: (name: string): Promise<{ replayed: number; remaining: number }> => this.transport.json(`/connections/${enc(name)}/deadletters/replay`, { method: 'POST' }),
  };

  /** Ours: several twin and relationship writes in one transaction, all or none (a failure is the failing operation's `ApiError`). */
  batch(operations: BatchOperation[]): Promise<BatchResult> {
    return this.transport.json('/batch', { method: 'POST', json: { operations } });
  }

  private async *ndjson(path: string): AsyncGenerator<unknown> {
    const res = await this.transport.send(path, { headers: { accept: 'application/x-ndjson' } });
    if (!res.body) return;
    for await (const line of lines(res.body)) if (line.trim()) yield JSON.parse(line);
  }
}

/** The lines of a byte stream, decoded as UTF-8. */
export async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let at: number;
      while ((at = buffer.indexOf('\n')) >= 0) {
        yield buffer.slice(0, at).replace(/\r$/, '');
        buffer = buffer.slice(at + 1);
      }
    }
    buffer += decoder.decode();
    if (buffer) yield buffer;
  } finally {
    reader.releaseLock();
  }
}
