import { callGateway } from './gateway';

/** One PATCH the writer sent: its number (also the value it set), the twin, and the answer. */
export interface Write {
  n: number;
  twin: string;
  status: number;
  code: string | null;
}

export interface PatchWriter {
  /** Writes answered so far (every status). */
  readonly writes: readonly Write[];
  /** Stops sending new writes (those in flight go on). */
  pause(): void;
  /** Stops sending, waits for the writes in flight, and returns every write. */
  stop(): Promise<Write[]>;
}

/**
 * Keeps patching `twins` round-robin until stopped: `concurrency` writers, each pausing `pauseMs`
 * between writes. Write n sets `/Temperature` to n, so its event (`data.patch[0].value`) names it;
 * numbers start at `firstValue` (two writers at once keep theirs apart).
 * A write that fails at the transport (no answer) is recorded with status 0.
 */
export function startPatchWriter(gatewayUrl: string, twins: string[], options: { concurrency?: number; pauseMs?: number; firstValue?: number } = {}): PatchWriter {
  const writes: Write[] = [];
  const first = options.firstValue ?? 0;
  let next = first;
  let stopped = false;
  const loops = Array.from({ length: options.concurrency ?? 4 }, async () => {
    while (!stopped) {
      const n = next++;
      const twin = twins[(n - first) % twins.length];
      const answer = await callGateway(gatewayUrl, 'PATCH', `/digitaltwins/${twin}`, [{ op: 'add', path: '/Temperature', value: n }])
        .catch(() => ({ status: 0, code: null }));
      writes.push({ n, twin, status: answer.status, code: answer.code });
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  });
  return {
    writes,
    pause() {
      stopped = true;
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return writes;
    },
  };
}
