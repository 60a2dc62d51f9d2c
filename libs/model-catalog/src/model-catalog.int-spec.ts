import { randomBytes } from 'node:crypto';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  DomainError, MODEL_CHANGED_SUBJECT, namespaced, Subjects,
  type FlattenedModelInfo, type GetFlattenedReply, type GetFlattenedRequest, type ModelChangedNotice,
} from '@odt/contracts';
import { InternalClient, NatsClientProxy, type ReplyPacket, type RequestPacket } from '@odt/messaging';
import { ModelCatalog, type ModelCatalogOptions } from './model-catalog';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const ROOM = 'dtmi:test:Room;1';
const PUMP = 'dtmi:test:Pump;1';
const VALVE = 'dtmi:test:Valve;1';

const flattenedModel = (id: string, decommissioned = false): FlattenedModelInfo => ({
  id,
  decommissioned,
  flattened: {
    id,
    dtdlVersion: 3,
    bases: [],
    properties: { temperature: { schema: { kind: 'primitive', type: 'double' }, writable: true } },
    telemetry: [],
    commands: [],
    components: {},
    relationships: { feeds: { name: 'feeds', properties: { flow: { kind: 'primitive', type: 'double' } } } },
  },
});

/**
 * Stands in for the models service on `odt.models.flattened`, on a connection of its own: answers
 * with the models as they were when the request arrived (as the service reads its table), and can
 * hold the next request until the test releases it.
 */
class ModelsResponder {
  readonly models = new Map<string, FlattenedModelInfo>();
  /** The ids of each request received, in order. */
  readonly requests: string[][] = [];
  private holdNext?: { arrived: () => void; released: Promise<void> };
  private subscription?: Subscription;

  private constructor(readonly nc: NatsConnection, private readonly namespace: string) {}

  static async start(namespace: string): Promise<ModelsResponder> {
    const responder = new ModelsResponder(await connect({ servers: NATS_URL }), namespace);
    await responder.serve();
    return responder;
  }

  async serve(): Promise<void> {
    this.subscription = this.nc.subscribe(namespaced(this.namespace, Subjects.ModelsGetFlattened), { callback: (_err, msg) => void this.answer(msg) });
    await this.nc.flush();
  }

  /** Stops answering; once this resolves, the server knows nobody answers. */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.nc.flush();
  }

  /** Holds the next request: `arrived` once the catalog asked, its answer goes out on `release()`. */
  hold(): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    this.holdNext = { arrived, released: new Promise<void>((resolve) => (release = resolve)) };
    return { arrived: arrival, release };
  }

  /** What the models service does after a change: the core-NATS notice. */
  async notify(notice: ModelChangedNotice): Promise<void> {
    this.nc.publish(namespaced(this.namespace, MODEL_CHANGED_SUBJECT), JSON.stringify(notice));
    await this.nc.flush();
  }

  async close(): Promise<void> {
    await this.nc.close();
  }

  private async answer(msg: Msg): Promise<void> {
    const { data: { ids }, id } = JSON.parse(new TextDecoder().decode(msg.data)) as RequestPacket<GetFlattenedRequest>;
    this.requests.push(ids);
    const models = ids.flatMap((id) => (this.models.has(id) ? [structuredClone(this.models.get(id)!)] : []));
    const held = this.holdNext;
    this.holdNext = undefined;
    if (held) {
      held.arrived();
      await held.released;
    }
    // A reply in the wire format of Nest's NATS transport, as the models service sends it.
    const reply: ReplyPacket<GetFlattenedReply> = { id: id!, response: { models }, isDisposed: true };
    msg.respond(JSON.stringify(reply));
    await this.nc.flush();
  }
}

describe('ModelCatalog', () => {
  let namespace: string;
  let nc: NatsConnection;
  let responder: ModelsResponder;
  const catalogs: ModelCatalog[] = [];

  const startCatalog = async (options: Partial<ModelCatalogOptions> = {}) => {
    const catalog = new ModelCatalog(new InternalClient(new NatsClientProxy(nc, namespace), 5000), nc, namespace, { ttlMs: 60_000, maxModels: 100, ...options });
    catalog.onModuleInit();
    catalogs.push(catalog);
    await nc.flush(); // its notice subscription is on the server
    return catalog;
  };

  /**
   * Everything the responder sent has been read by the catalog's connection and acted on: the
   * server forwards in order, and each flush is a round trip behind what came before it.
   */
  const settled = async () => {
    await responder.nc.flush();
    await nc.flush();
    await new Promise((resolve) => setImmediate(resolve));
  };

  beforeEach(async () => {
    namespace = `mc${randomBytes(5).toString('hex')}`;
    nc = await connect({ servers: NATS_URL });
    responder = await ModelsResponder.start(namespace);
  });

  afterEach(async () => {
    for (const catalog of catalogs.splice(0)) catalog.onModuleDestroy();
    await responder.close();
    await nc.close();
  });

  describe('a change notice that arrives while the model is loading', () => {
    it('wins over the load: a model decommissioned meanwhile is served and cached as decommissioned', async () => {
      const catalog = await startCatalog();
      responder.models.set(ROOM, flattenedModel(ROOM));
      const held = responder.hold();
      const resolving = catalog.resolve(ROOM);
      await held.arrived; // the load has read the model as it was

      responder.models.set(ROOM, flattenedModel(ROOM, true));
      await responder.notify({ id: ROOM, change: 'decommissioned' });
      await settled();
      held.release(); // the stale answer reaches the catalog after the notice
      await settled();

      expect((await resolving)?.info.decommissioned).toBe(true);
      expect((await catalog.resolve(ROOM))?.info.decommissioned).toBe(true);
      expect(responder.requests).toEqual([[ROOM], [ROOM]]); // the load again, then the cache
    });

    it('wins over a load that found no model: a model created meanwhile is found', async () => {
      const catalog = await startCatalog();
      const held = responder.hold();
      const resolving = catalog.resolve(ROOM);
      await held.arrived;

      responder.models.set(ROOM, flattenedModel(ROOM));
      await responder.notify({ id: ROOM, change: 'created' });
      await settled();
      held.release();
      await settled();

      expect((await resolving)?.info.id).toBe(ROOM);
      expect((await catalog.resolve(ROOM))?.info.id).toBe(ROOM);
    });

    it('leaves the load alone when another model was created', async () => {
      const catalog = await startCatalog();
      responder.models.set(ROOM, flattenedModel(ROOM));
      const held = responder.hold();
      const resolving = catalog.resolve(ROOM);
      await held.arrived;

      await responder.notify({ id: PUMP, change: 'created' });
      await settled();
      held.release();

      expect((await resolving)?.info.id).toBe(ROOM);
      await catalog.resolve(ROOM);
      expect(responder.requests).toEqual([[ROOM]]);
    });
  });

  it('drops every cached model on a decommission or delete notice, and only that id on a create', async () => {
    const catalog = await startCatalog();
    responder.models.set(ROOM, flattenedModel(ROOM));
    responder.models.set(PUMP, flattenedModel(PUMP));
    expect(await catalog.resolve(VALVE)).toBeNull();
    await catalog.resolve(ROOM);
    await catalog.resolve(PUMP);

    responder.models.set(VALVE, flattenedModel(VALVE));
    await responder.notify({ id: VALVE, change: 'created' });
    await settled();
    expect((await catalog.resolve(VALVE))?.info.id).toBe(VALVE);
    await catalog.resolve(ROOM);
    expect(responder.requests).toEqual([[VALVE], [ROOM], [PUMP], [VALVE]]);

    await responder.notify({ id: PUMP, change: 'deleted' });
    await settled();
    await catalog.resolve(ROOM);
    await catalog.resolve(VALVE);
    expect(responder.requests.slice(4)).toEqual([[ROOM], [VALVE]]);
  });

  it('loads a model once for concurrent resolves, and compiles its validators once', async () => {
    const catalog = await startCatalog();
    responder.models.set(ROOM, flattenedModel(ROOM));
    const [a, b, c] = await Promise.all([catalog.resolve(ROOM), catalog.resolve(ROOM), catalog.resolve(ROOM)]);
    expect(responder.requests).toEqual([[ROOM]]);
    expect(b).toBe(a);
    expect(c).toBe(a);

    const again = await catalog.resolve(ROOM);
    expect(again).toBe(a);
    expect(again!.validate).toBe(a!.validate);
    expect(again!.relationship('feeds')).toBe(a!.relationship('feeds'));
    expect(a!.relationship('feeds')!.validate({ flow: 'fast' })).toHaveLength(1);
    expect(responder.requests).toHaveLength(1);
  });

  it('keeps at most maxModels, dropping the least recently used', async () => {
    const catalog = await startCatalog({ maxModels: 2 });
    for (const id of [ROOM, PUMP, VALVE]) responder.models.set(id, flattenedModel(id));
    await catalog.resolve(ROOM);
    await catalog.resolve(PUMP);
    await catalog.resolve(ROOM); // Room is now more recent than Pump
    await catalog.resolve(VALVE); // Pump goes
    await catalog.resolve(ROOM);
    await catalog.resolve(VALVE);
    expect(responder.requests).toEqual([[ROOM], [PUMP], [VALVE]]);
    await catalog.resolve(PUMP);
    expect(responder.requests).toEqual([[ROOM], [PUMP], [VALVE], [PUMP]]);
  });

  it('asks again once MODEL_CACHE_TTL_MS has passed, and every time with 0', async () => {
    responder.models.set(ROOM, flattenedModel(ROOM));
    const short = await startCatalog({ ttlMs: 300 });
    await short.resolve(ROOM);
    await short.resolve(ROOM);
    expect(responder.requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await short.resolve(ROOM);
    expect(responder.requests).toHaveLength(2);

    const none = await startCatalog({ ttlMs: 0 });
    await none.resolve(ROOM);
    await none.resolve(ROOM);
    expect(responder.requests).toHaveLength(4);
    await Promise.all([none.resolve(ROOM), none.resolve(ROOM)]);
    expect(responder.requests).toHaveLength(5);
  });

  it('passes on a failed load without caching it', async () => {
    const catalog = await startCatalog();
    responder.models.set(ROOM, flattenedModel(ROOM));
    await responder.stop(); // no models service: the request has no responder
    const err = await catalog.resolve(ROOM).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('ServiceUnavailable');

    await responder.serve();
    expect((await catalog.resolve(ROOM))?.info.id).toBe(ROOM);
    expect(responder.requests).toEqual([[ROOM]]);
  });
});
