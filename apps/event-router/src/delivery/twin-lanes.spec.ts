import type { DigitalTwinsEvent } from '@odt/contracts';
import { laneOf, TwinLanes } from './twin-lanes';

const event = (source: string, subject?: string) => ({ source, subject }) as DigitalTwinsEvent;

describe('laneOf: the twin whose order an event keeps', () => {
  it('is the twin for its own events and for its relationships\' events', () => {
    expect(laneOf(event('odt.example', 'room-1'))).toBe('room-1');
    expect(laneOf(event('odt.example', 'room-1/relationships/r-9'))).toBe('room-1');
  });

  it('is the source twin for telemetry, with or without a component', () => {
    expect(laneOf(event('odt.example/digitaltwins/sensor-7'))).toBe('sensor-7');
    expect(laneOf(event('odt.example/digitaltwins/sensor-7', 'thermostat'))).toBe('sensor-7');
  });
});

/** Lanes whose handling of each item waits until the test finishes it. */
function lanesUnderTest(concurrency: number) {
  const started: string[] = [];
  const released: string[] = [];
  const finishers = new Map<string, (done: boolean) => void>();
  const lanes = new TwinLanes<string>(
    concurrency,
    (item) => new Promise<boolean>((resolve) => {
      started.push(item);
      finishers.set(item, resolve);
    }),
    (item) => released.push(item),
  );
  /** Ends the handling of `item` (true: handled) and lets the lanes move on. */
  const finish = async (item: string, done = true) => {
    const end = finishers.get(item);
    if (!end) throw new Error(`${item} was not started`);
    end(done);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { lanes, started, released, finish };
}

describe('TwinLanes: per-twin order and a limit on twins in delivery', () => {
  it('handles one twin\'s events one at a time, in the order they came', async () => {
    const { lanes, started, released, finish } = lanesUnderTest(4);
    lanes.add('a', 'a1');
    lanes.add('a', 'a2');
    lanes.add('a', 'a3');
    expect(started).toEqual(['a1']);
    await finish('a1');
    expect(started).toEqual(['a1', 'a2']);
    await finish('a2');
    await finish('a3');
    expect(released).toEqual(['a1', 'a2', 'a3']);
    await lanes.settled();
    expect(lanes.active).toBe(0);
  });

  it('delivers different twins side by side, up to the concurrency; the next twins wait for a free slot in the order they came', async () => {
    const { lanes, started, finish } = lanesUnderTest(2);
    for (const item of ['a1', 'b1', 'c1', 'd1', 'a2']) lanes.add(item[0], item);
    expect(started).toEqual(['a1', 'b1']);
    expect(lanes.active).toBe(2);
    // a's next event stays in a's lane: the freed slot goes to c, the first twin waiting.
    await finish('b1');
    expect(started).toEqual(['a1', 'b1', 'c1']);
    await finish('a1');
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2']);
    await finish('c1');
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'd1']);
    expect(lanes.active).toBe(2);
  });

  it('holds back only the twin whose event is unfinished', async () => {
    const { lanes, started, finish } = lanesUnderTest(8);
    lanes.add('stuck', 'stuck1');
    lanes.add('stuck', 'stuck2');
    lanes.add('ok', 'ok1');
    lanes.add('ok', 'ok2');
    await finish('ok1');
    expect(started).toEqual(['stuck1', 'ok1', 'ok2']);
  });

  it('lets go of an unfinished event and its twin\'s later ones; the twin\'s next event starts a new lane', async () => {
    const { lanes, started, released, finish } = lanesUnderTest(1);
    lanes.add('a', 'a1');
    lanes.add('a', 'a2');
    lanes.add('b', 'b1');
    await finish('a1', false);
    expect(released).toEqual(['a1', 'a2']);
    expect(started).toEqual(['a1', 'b1']);
    lanes.add('a', 'a3');
    await finish('b1');
    expect(started).toEqual(['a1', 'b1', 'a3']);
  });

  it('once stopped, takes no further event: the ones in hand finish and the rest are let go', async () => {
    const { lanes, started, released, finish } = lanesUnderTest(1);
    lanes.add('a', 'a1');
    lanes.add('a', 'a2');
    lanes.add('b', 'b1');
    lanes.stop();
    const settled = lanes.settled();
    await finish('a1');
    await settled;
    expect(started).toEqual(['a1']);
    expect(released.sort()).toEqual(['a1', 'a2', 'b1']);
    expect(lanes.active).toBe(0);
  });
});
