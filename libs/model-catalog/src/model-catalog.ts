import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  MODEL_CHANGED_SUBJECT, namespaced, Subjects, type FlattenedModelInfo, type FlattenedRelationship, type ModelChangedNotice,
} from '@odt/contracts';
import { compileInterfaceValidator, compileRelationshipValidator, type ValidationProblem } from '@odt/dtdl';
import { NATS_CONNECTION, NATS_NAMESPACE, RpcClient } from '@odt/messaging';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

export const MODEL_CACHE_TTL_MS = Symbol('MODEL_CACHE_TTL_MS');

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

interface Entry {
  model: ResolvedModel | null;
  loadedAt: number;
}

/**
 * Models as a writing service sees them, fetched from the models service and cached; a change
 * notice (or the TTL) drops them. Validators are compiled once per model, never per request.
 */
@Injectable()
export class ModelCatalog implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Entry | Promise<ResolvedModel | null>>();
  private subscription?: Subscription;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_NAMESPACE) private readonly namespace: string,
    @Inject(MODEL_CACHE_TTL_MS) private readonly ttlMs: number,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(namespaced(this.namespace, MODEL_CHANGED_SUBJECT), {
      callback: (_err, msg) => {
        if (!msg) return;
        const notice = JSON.parse(new TextDecoder().decode(msg.data)) as ModelChangedNotice;
        // A component's interface changing affects every model using it: drop everything, it refills cheaply.
        if (notice.change !== 'created') this.entries.clear();
        else this.entries.delete(notice.id);
      },
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The model, or null when it does not exist (or one of its component interfaces does not). */
  async resolve(modelId: string, requestId?: string): Promise<ResolvedModel | null> {
    const cached = this.entries.get(modelId);
    if (cached instanceof Promise) return cached;
    if (cached && Date.now() - cached.loadedAt < this.ttlMs) return cached.model;
    const loading = this.load(modelId, requestId).then(
      (model) => {
        this.entries.set(modelId, { model, loadedAt: Date.now() });
        return model;
      },
      (err: unknown) => {
        this.entries.delete(modelId);
        throw err;
      },
    );
    this.entries.set(modelId, loading);
    return loading;
  }

  private async load(modelId: string, requestId?: string): Promise<ResolvedModel | null> {
    const { models } = await this.rpc.request(Subjects.ModelsGetFlattened, { ids: [modelId] }, { requestId });
    const info = models[0];
    if (!info) return null;
    const componentIds = [...new Set(Object.values(info.flattened.components))];
    const components = new Map<string, FlattenedModelInfo>();
    if (componentIds.length > 0) {
      const reply = await this.rpc.request(Subjects.ModelsGetFlattened, { ids: componentIds }, { requestId });
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
