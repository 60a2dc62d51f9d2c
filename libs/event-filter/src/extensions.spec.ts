import { EVENTS } from './__fixtures__/events';
import { select } from './__fixtures__/select';
import { compileEventFilter } from './compile-event-filter';
import type { CloudEventLike } from './event';

describe('extension: $patch.<pointer> compares the value an Update sets', () => {
  it.each([
    ['$patch./Temperature > 25', ['roomUpdate']],
    ['$patch./Temperature = 27', ['roomUpdate']],
    ['$patch./Temperature < 25', []],
    ['$patch./thermostat/setPoint = 22', ['roomUpdate']],
    ['$patch./thermostat > 0', []],
    ['$patch./label = null', []],
    ["$patch./since = '2026'", ['relationshipUpdate']],
    ["$patch.'/since' = '2026'", ['relationshipUpdate']],
    ['$patch./Temperature>25', ['roomUpdate']],
    ['($patch./Temperature >= 27)', ['roomUpdate']],
    ["$patch./Temperature > 25 AND $body.modelId = 'dtmi:example:com:room;1'", ['roomUpdate']],
    ["STARTS_WITH($patch./since, '20')", ['relationshipUpdate']],
  ] as const)('%s', (filter, expected) => {
    expect(select(filter)).toEqual(expected);
  });

  it('does not apply to Create, Delete or telemetry events, even under NOT', () => {
    expect(select('$patch./Temperature > 0')).toEqual(['roomUpdate']);
    expect(select('NOT $patch./Temperature > 100')).toEqual(['roomUpdate']);
    expect(select('NOT $patch./Temperature > 0')).toEqual([]);
  });

  it('an Update with several ops on the path matches when any value satisfies the comparison', () => {
    const update: CloudEventLike = {
      ...EVENTS.roomUpdate,
      data: {
        modelId: 'm',
        patch: [
          { op: 'replace', path: '/Temperature', value: 10 },
          { op: 'test', path: '/Temperature', value: 99 },
          { op: 'replace', path: '/Temperature', value: 30 },
        ],
      },
    };
    expect(compileEventFilter('$patch./Temperature > 25')(update)).toBe(true);
    expect(compileEventFilter('$patch./Temperature > 50')(update)).toBe(false);
  });

  it('ignores malformed patches', () => {
    const update: CloudEventLike = { ...EVENTS.roomUpdate, data: { modelId: 'm', patch: 'nope' } };
    expect(compileEventFilter('$patch./Temperature > 0')(update)).toBe(false);
    expect(compileEventFilter("CHANGED('')")(update)).toBe(false);
    const withJunk: CloudEventLike = { ...EVENTS.roomUpdate, data: { patch: [null, 3, { op: 'replace', path: '/x', value: 1 }] } };
    expect(compileEventFilter('$patch./x = 1')(withJunk)).toBe(true);
  });
});

describe('extension: CHANGED(pointer)', () => {
  it.each([
    ["CHANGED('/Temperature')", ['roomUpdate']],
    ["CHANGED('/thermostat')", ['roomUpdate']],
    ["CHANGED('/thermostat/setPoint')", ['roomUpdate']],
    ["CHANGED('/thermo')", []],
    ["CHANGED('/label')", ['roomUpdate']],
    ["CHANGED('/since')", ['relationshipUpdate']],
    ["changed('')", ['roomUpdate', 'relationshipUpdate']],
    ["NOT CHANGED('/Temperature')", ['relationshipUpdate']],
    ["CHANGED('/Temperature') AND NOT CHANGED('/humidity')", ['roomUpdate']],
  ] as const)('%s', (filter, expected) => {
    expect(select(filter)).toEqual(expected);
  });
});
