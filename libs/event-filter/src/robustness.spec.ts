import { EVENT_NAMES, EVENTS } from './__fixtures__/events';
import { select } from './__fixtures__/select';
import { compileEventFilter } from './compile-event-filter';
import type { CloudEventLike } from './event';
import { EventFilterError } from './event-filter-error';
import { parseEventFilter } from './parser';

const SEEDS = [
  "type = 'Microsoft.DigitalTwins.Twin.Create' OR type = 'microsoft.iot.telemetry'",
  "STARTS_WITH($body.$metadata.$model, 'dtmi:example:com:floor')",
  "NOT (CONTAINS(subject, 'room1') AND $body.Temperature >= -2.5e1)",
  "$eventType = 'DigitalTwinChangeNotification' AND $patch./Temperature > 25 OR CHANGED('/a/b')",
  "$body.label = null AND $body.x != 'it''s' AND $body.y = true",
];

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('robustness', () => {
  it('mutated filters either compile or throw EventFilterError, and compiled filters never throw', () => {
    const next = random(42);
    const pieces = ["'", '(', ')', ',', '.', '$', '-', ' ', 'NOT ', ' AND ', 'OR', '=', '<', '!', '1', 'x', '/'];
    const weird: CloudEventLike[] = [
      ...EVENT_NAMES.map((name) => EVENTS[name]),
      { specversion: '1.0', id: 'w', source: 's', type: 'X.Update', data: null },
      { specversion: '1.0', id: 'w', source: 's', type: 'X.Update', data: { patch: [{ op: 'add', path: 5, value: {} }] } },
      { specversion: '1.0', id: 'w', source: 's', type: 7 as unknown as string, data: [1, 2] },
    ];
    let compiled = 0;
    for (let i = 0; i < 3000; i += 1) {
      let text = SEEDS[Math.floor(next() * SEEDS.length)];
      for (let m = 0; m < 1 + Math.floor(next() * 3); m += 1) {
        const at = Math.floor(next() * (text.length + 1));
        const cut = Math.floor(next() * 3);
        const insert = next() < 0.6 ? pieces[Math.floor(next() * pieces.length)] : '';
        text = text.slice(0, at) + insert + text.slice(at + cut);
      }
      let filter;
      try {
        filter = compileEventFilter(text);
      } catch (err) {
        if (!(err instanceof EventFilterError)) throw new Error(`${JSON.stringify(text)} threw ${String(err)}`);
        expect(err.position).toBeGreaterThanOrEqual(0);
        expect(err.position).toBeLessThanOrEqual(text.length);
        continue;
      }
      compiled += 1;
      for (const event of weird) expect(typeof filter(event)).toBe('boolean');
    }
    expect(compiled).toBeGreaterThan(100);
  });

  it('lexes paths and pointers exactly', () => {
    expect(parseEventFilter('$body = 1')).toEqual({
      kind: 'compare',
      operator: '=',
      left: { kind: 'body', path: [], position: 0 },
      right: { kind: 'literal', value: 1, position: 8 },
    });
    expect(parseEventFilter('$body.$patch.x=1')).toMatchObject({ left: { kind: 'body', path: ['$patch', 'x'] } });
    expect(parseEventFilter('$patch./a~1b/c<=-0.5')).toMatchObject({
      left: { kind: 'patch', pointer: '/a~1b/c' },
      right: { kind: 'literal', value: -0.5 },
    });
    expect(parseEventFilter("$patch.'/odd name'='x'")).toMatchObject({ left: { kind: 'patch', pointer: '/odd name' } });
    expect(parseEventFilter("type='a\\\\b'")).toMatchObject({ right: { value: 'a\\b' } });
    expect(parseEventFilter("type='C:\\temp'")).toMatchObject({ right: { value: 'C:\\temp' } });
  });

  it('a telemetry payload that is not an object only matches $body itself', () => {
    const event: CloudEventLike = { ...EVENTS.telemetry, data: 42 };
    expect(compileEventFilter('$body = 42')(event)).toBe(true);
    expect(compileEventFilter('$body.x = 42')(event)).toBe(false);
    expect(select('$body = 42')).toEqual([]);
  });
});
