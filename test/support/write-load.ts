/** A twin or a relationship the load writes, and where its value lives. */
export interface LoadItem {
  kind: 'twin' | 'relationship';
  /** The API route (`/digitaltwins/<id>` or `/digitaltwins/<source>/relationships/<id>`). */
  route: string;
  /** The CloudEvent subject of its changes (`<id>` or `<source>/relationships/<id>`). */
  subject: string;
  /** The property each write sets (`Temperature` on a twin, `weight` on a relationship). */
  property: string;
  /** A PUT body that sets `property` to `value`. */
  body(value: number): unknown;
}

/** One write as the client saw it. Writes to one item are sequential, in `value` order. */
export interface LoadWrite {
  item: LoadItem;
  method: 'PUT' | 'PATCH';
  value: number;
  /** Answered 2xx: it happened and must be readable and have its event. */
  acknowledged: boolean;
  /** Answered 4xx (other than 408/429): refused for sure; the load does not retry it. */
  refused?: string;
  /** Every attempt's answer (`0` when the connection failed or timed out), in order. */
  answers: string[];
  sentAt: number;
  /** When the last attempt was sent and answered (ms since the epoch). */
  lastAttemptAt: number;
  answeredAt: number;
}

export interface WriteLoadOptions {
  /** The gateways to use; asked again before each attempt. */
  gateways: () => string[];
  /** Created first, one after the other, in this order (twins before the relationships between them). */
  items: LoadItem[];
  /** Concurrent writers; each owns every `workers`-th item, so one item's writes never overlap. */
  workers?: number;
  /** Every `putEvery`-th write is a replacing PUT, the others JSON Patches (default 4). */
  putEvery?: number;
  pauseMs?: number;
  /** One attempt's deadline (default 15 s). */
  attemptTimeoutMs?: number;
  /** A write still failing after this is abandoned; its outcome stays unknown (default 60 s). */
  giveUpAfterMs?: number;
}

export interface WriteLoad {
  readonly writes: readonly LoadWrite[];
  /** Writes acknowledged so far. */
  acknowledged(): number;
  /** Resolves once `n` more writes have been acknowledged after the call (or rejects after `timeoutMs`). */
  untilAcknowledged(n: number, timeoutMs: number): Promise<number>;
  /** Stops starting new writes, waits for those in flight (retries included), returns them all. */
  stop(): Promise<LoadWrite[]>;
  /** Stops at once: no new write, no further retry (for a teardown after a failure). */
  abandon(): Promise<void>;
}

/**
 * A steady write load like a client that retries: a write that fails at the transport or with a
 * 5xx, 408 or 429 is sent again, to the next gateway, with the same value, until it is
 * acknowledged or `giveUpAfterMs` passes. Each writer sticks to the gateway that last answered it
 * (writer w starts on gateway w, so the load spreads over them). A write whose answer was lost may or may not have
 * happened; only acknowledged ones are promised.
 */
export function startWriteLoad(options: WriteLoadOptions): WriteLoad {
  const writes: LoadWrite[] = [];
  const workers = options.workers ?? 4;
  const putEvery = options.putEvery ?? 4;
  let next = 1;
  let acked = 0;
  let stopped = false;
  const halt = { abandoned: false };
  const waiters = new Set<() => void>();

  const record = (write: LoadWrite) => {
    writes.push(write);
    if (!write.acknowledged) return;
    acked++;
    for (const wake of waiters) wake();
  };
  const created = (async () => {
    const client = { gateway: 0 };
    for (const item of options.items) if (!stopped) record(await send(item, 'PUT', next++, options, client, halt));
  })();
  const loops = Array.from({ length: workers }, async (_, w) => {
    await created;
    const own = options.items.filter((_, i) => i % workers === w);
    const client = { gateway: w };
    for (let round = 0; !stopped && own.length > 0; round++) {
      const item = own[round % own.length];
      const value = next++;
      record(await send(item, value % putEvery === 0 ? 'PUT' : 'PATCH', value, options, client, halt));
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  });

  return {
    writes,
    acknowledged: () => acked,
    untilAcknowledged(n, timeoutMs) {
      const target = acked + n;
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${acked - (target - n)} of ${n} writes acknowledged within ${timeoutMs} ms`));
        }, timeoutMs);
        function check() {
          if (acked < target) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(Date.now() - started);
        }
        waiters.add(check);
        check();
      });
    },
    async stop() {
      stopped = true;
      await Promise.all([created, ...loops]);
      return writes;
    },
    async abandon() {
      stopped = true;
      halt.abandoned = true;
      await Promise.all([created, ...loops]);
    },
  };
}

const RETRIED = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

/** `client.gateway`: the index of the gateway to try first; moved to the one that answers. */
async function send(
  item: LoadItem, method: 'PUT' | 'PATCH', value: number, options: WriteLoadOptions, client: { gateway: number }, halt: { abandoned: boolean },
): Promise<LoadWrite> {
  const write: LoadWrite = { item, method, value, acknowledged: false, answers: [], sentAt: Date.now(), lastAttemptAt: 0, answeredAt: 0 };
  const body = method === 'PUT' ? item.body(value) : [{ op: 'add', path: `/${item.property}`, value }];
  const deadline = write.sentAt + (options.giveUpAfterMs ?? 60_000);
  for (let attempt = 0; ; attempt++) {
    const gateways = options.gateways();
    const at = (client.gateway + attempt) % gateways.length;
    write.lastAttemptAt = Date.now();
    const { status, code } = await attemptWrite(gateways[at], method, item.route, body, options.attemptTimeoutMs ?? 15_000);
    write.answers.push(code ? `${status} ${code}` : String(status));
    write.answeredAt = Date.now();
    if (status !== 0) client.gateway = at;
    if (status >= 200 && status < 300) {
      write.acknowledged = true;
      return write;
    }
    if (!RETRIED(status)) {
      write.refused = write.answers[write.answers.length - 1];
      return write;
    }
    if (Date.now() > deadline || halt.abandoned) return write;
    await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
  }
}

async function attemptWrite(gateway: string, method: string, route: string, body: unknown, timeoutMs: number): Promise<{ status: number; code: string | null }> {
  try {
    const res = await fetch(`${gateway}${route}?api-version=2023-10-31`, {
      method,
      headers: { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return { status: res.status, code: res.headers.get('x-ms-error-code') };
  } catch {
    return { status: 0, code: null };
  }
}

/**
 * Rooms and `feeds` relationships between them (the `buildingModels` ontology): `twins` twins
 * `<prefix>-<i>`, each feeding the next, round the ring.
 */
export function roomRing(prefix: string, roomModel: string, twins: number): { twins: LoadItem[]; relationships: LoadItem[] } {
  const id = (i: number) => `${prefix}-${i % twins}`;
  const twinItems = Array.from({ length: twins }, (_, i): LoadItem => ({
    kind: 'twin',
    route: `/digitaltwins/${id(i)}`,
    subject: id(i),
    property: 'Temperature',
    body: (value) => ({ $metadata: { $model: roomModel }, thermostat: { $metadata: {} }, Temperature: value }),
  }));
  const relationshipItems = Array.from({ length: twins }, (_, i): LoadItem => ({
    kind: 'relationship',
    route: `/digitaltwins/${id(i)}/relationships/feeds-${i}`,
    subject: `${id(i)}/relationships/feeds-${i}`,
    property: 'weight',
    body: (value) => ({ $relationshipName: 'feeds', $targetId: id(i + 1), weight: value }),
  }));
  return { twins: twinItems, relationships: relationshipItems };
}
