import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MODEL_CHANGED_SUBJECT, namespaced, Subjects, type FlattenedModelInfo, type ModelChangedNotice } from '@odt/contracts';
import { compileInterfaceValidator, type ValidationProblem } from '@odt/dtdl';
import { NATS_CONNECTION, RpcClient } from '@odt/messaging';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { TWINS_CONFIG, type TwinsConfig } from '../config';

/** A model ready for the write path: its flattened form and its compiled instance validator. */
export interface ResolvedModel {
  info: FlattenedModelInfo;
  validate: (content: Record<string, unknown>) => ValidationProblem[];
}

interface Entry {
  model: ResolvedModel | null;
  loadedAt: number;
}

/**
 * Models as the twins service sees them, fetched from the models service and cached; a change
 * notice (or the TTL) drops them. Validators are compiled once per model, never per request.
 */
@Injectable()
export class ModelCatalog implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Entry | Promise<ResolvedModel | null>>();
  private subscription?: Subscription;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(TWINS_CONFIG) private readonly config: TwinsConfig,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(namespaced(this.config.NATS_NAMESPACE, MODEL_CHANGED_SUBJECT), {
      callback: (_err, msg) => {
        if (!msg) return;
        const notice = JSON.parse(new TextDecoder().decode(msg.data)) as ModelChangedNotice;
        // A component's interface changing affects every model using it: drop everything but cheap to refill.
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
    if (cached && Date.now() - cached.loadedAt < this.config.MODEL_CACHE_TTL_MS) return cached.model;
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
    return { info, validate };
  }
}
