import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  DomainError, MODEL_CHANGED_SUBJECT, namespaced, Subjects, type FlattenedModelInfo, type FlattenedRelationship, type ModelChangedNotice,
} from '@odt/contracts';
import { compileInterfaceValidator, compileRelationshipValidator, type ValidationProblem } from '@odt/dtdl';
import { InternalClient, NATS_CONNECTION, NATS_NAMESPACE } from '@odt/messaging';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { LRUCache } from 'lru-cache';

export const MODEL_CATALOG_OPTIONS = Symbol('MODEL_CATALOG_OPTIONS');

export interface ModelCatalogOptions {
  /** How long a fetched model is used without asking again; 0: ask on every resolve. */
  ttlMs: number;
  /** How many models are kept at most; the least recently used go first. */
  maxModels: number;
}

type Validate = (content: Record<string, unknown>) => ValidationProblem[];

/** A model ready for the write path: its flattened form and compiled instance validators. */
export interface ResolvedModel {
  info: FlattenedModelInfo;
  /** Validates a twin's properties and components. */
  validate: Validate;
  /** A relationship declared on the model (or its bases) with its compiled property validator. */
  relationship(name: string): { definition: FlattenedRelationship; validate: Validate } | undefined;
  /** True when this model is `modelId` or extends it. */
  isA(modelId: string): boolean;
}

/** A model, or that there is none (the cache holds no nulls): a missing model is remembered too. */
interface Entry {
  model: ResolvedModel | null;
}

/** The load's own failure, told apart from the cache abandoning the load. */
class LoadFailed extends Error {
  constructor(readonly reason: unknown) {
    super('loading a model failed');
  }
}

/** A resolve starts over when a notice drops its load; past this many, the caller is told to retry. */
const MAX_LOAD_ATTEMPTS = 5;

/**
 * Models as a writing service sees them, fetched from the models service and cached; a change
 * notice (or the TTL) drops them. Validators are compiled once per model, never per request.
 *
 * Concurrent resolves of one id share one load. A notice that arrives while a model loads wins:
 * dropping the entry aborts the load (lru-cache), whose result, read before the change, is then
 * never stored, and every resolve waiting on it loads the model again.
 */
@Injectable()
export class ModelCatalog implements OnModuleInit, OnModuleDestroy {
  private readonly cache: LRUCache<string, Entry>;
  private subscription?: Subscription;

  constructor(
    private readonly rpc: InternalClient,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_NAMESPACE) private readonly namespace: string,
    @Inject(MODEL_CATALOG_OPTIONS) private readonly options: ModelCatalogOptions,
  ) {
    this.cache = new LRUCache<string, Entry>({
      max: options.maxModels,
      ttl: options.ttlMs,
      // The load runs in the call context of the resolve that started it (its request id travels on).
      fetchMethod: (modelId) => this.load(modelId).then(
        (model) => ({ model }),
        (err: unknown) => {
          throw new LoadFailed(err);
        },
      ),
    });
  }

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(namespaced(this.namespace, MODEL_CHANGED_SUBJECT), {
      callback: (_err, msg) => {
        if (!msg) return;
        const notice = JSON.parse(new TextDecoder().decode(msg.data)) as ModelChangedNotice;
        // A component's interface changing affects every model using it: drop everything, it refills cheaply.
        if (notice.change !== 'created') this.cache.clear();
        else this.cache.delete(notice.id);
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The model, or null when it does not exist (or one of its component interfaces does not). */
  async resolve(modelId: string): Promise<ResolvedModel | null> {
    // A TTL of 0 is "no TTL" to lru-cache; ours means ask every time (still one load for concurrent resolves).
    const forceRefresh = this.options.ttlMs === 0;
    for (let attempt = 1; attempt <= MAX_LOAD_ATTEMPTS; attempt++) {
      const entry = await this.cache.fetch(modelId, { forceRefresh }).catch((err: unknown) => {
        if (err instanceof LoadFailed) throw err.reason;
        return undefined; // aborted: a notice (or eviction) dropped the load, so load again
      });
      if (entry) return entry.model;
    }
    throw new DomainError('ServiceUnavailable', `The model ${modelId} kept changing while it was being loaded. Try again.`);
  }

  private async load(modelId: string): Promise<ResolvedModel | null> {
    const { models } = await this.rpc.request(Subjects.ModelsGetFlattened, { ids: [modelId] });
    const info = models[0];
    if (!info) return null;
    const componentIds = [...new Set(Object.values(info.flattened.components))];
    const components = new Map<string, FlattenedModelInfo>();
    if (componentIds.length > 0) {
      const reply = await this.rpc.request(Subjects.ModelsGetFlattened, { ids: componentIds });
      for (const c of reply.models) components.set(c.id, c);
      if (components.size !== componentIds.length) return null;
    }
    const validate = compileInterfaceValidator(info.flattened, (id) => {
      const c = components.get(id);
      if (!c) throw new Error(`component interface ${id} was not loaded`);
      return c.flattened;
    });
    const relationships = new Map<string, { definition: FlattenedRelationship; validate: Validate }>();
    const lineage = new Set([info.id, ...info.flattened.bases]);
    return {
      info,
      validate,
      isA: (id) => lineage.has(id),
      relationship(name) {
        const definition = info.flattened.relationships[name];
        if (!definition) return undefined;
        let compiled = relationships.get(name);
        if (!compiled) {
          compiled = { definition, validate: compileRelationshipValidator(definition) };
          relationships.set(name, compiled);
        }
        return compiled;
      },
    };
  }
}
