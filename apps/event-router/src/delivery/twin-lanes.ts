import type { DigitalTwinsEvent } from '@odt/contracts';

/**
 * The twin an event is about, which orders it: the subject's first segment for twin and
 * relationship events (`<twin>` and `<twin>/relationships/<id>`), the source's twin for telemetry.
 */
export function laneOf(event: DigitalTwinsEvent): string {
  const at = event.source.lastIndexOf('/digitaltwins/');
  if (at >= 0) return event.source.slice(at + '/digitaltwins/'.length);
  const subject = event.subject ?? '';
  const slash = subject.indexOf('/');
  return slash < 0 ? subject : subject.slice(0, slash);
}

/**
 * Items spread over lanes by key (a twin): a lane handles its items one at a time in the order
 * they were added, and at most `concurrency` lanes run side by side; a lane that cannot start
 * waits for a free slot, in the order the lanes appeared. A lane stops at an item `handle` did not
 * finish (false) or once the lanes are stopped, and lets go of what it still holds (`released`
 * hears of every item leaving, handled or not).
 */
export class TwinLanes<T> {
  private readonly lanes = new Map<string, T[]>();
  private readonly waiting: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly concurrency: number,
    private readonly handle: (item: T) => Promise<boolean>,
    private readonly released: (item: T) => void = () => undefined,
  ) {}

  /** Lanes handling an item now. */
  get active(): number {
    return this.running.size;
  }

  add(key: string, item: T): void {
    const lane = this.lanes.get(key);
    if (lane) {
      lane.push(item);
      return;
    }
    this.lanes.set(key, [item]);
    if (this.running.size < this.concurrency) this.run(key);
    else this.waiting.push(key);
  }

  /** No lane takes its next item; the ones in hand finish (see `settled`). */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once no lane runs (lanes waiting for a slot run, unless stopped). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private run(key: string): void {
    const task = this.drain(key).finally(() => {
      this.running.delete(task);
      const next = this.waiting.shift();
      if (next !== undefined) this.run(next);
    });
    this.running.add(task);
  }

  private async drain(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    while (lane.length > 0 && !this.stopped) {
      const item = lane[0];
      if (!(await this.handle(item))) break;
      lane.shift();
      this.released(item);
    }
    for (const item of lane) this.released(item);
    this.lanes.delete(key);
  }
}
