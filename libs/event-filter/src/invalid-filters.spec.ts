import { rejection } from './__fixtures__/select';
import { compileEventFilter } from './compile-event-filter';
import { EVENT_FILTER_LIMITS } from './limits';

describe('invalid filters', () => {
  it.each([
    ['', 0, 'empty'],
    ['   ', 0, 'empty'],
    ["type = 'x", 7, 'unterminated string'],
    ['type = "x"', 7, 'single quotes'],
    ["type == 'x'", 6, 'expected a field or a value'],
    ["type <> 'x'", 6, 'expected a field or a value'],
    ["type 'x'", 5, 'expected a comparison operator'],
    ['subject', 7, 'expected a comparison operator'],
    ["time = '2026'", 0, "unknown field 'time'"],
    ["foo.bar = 'x'", 0, "unknown field 'foo'"],
    ["$body. x = 1", 6, "expected a property name after '.'"],
    ['$body.1 = 1', 6, "expected a property name after '.'"],
    ['$body.x. = 1', 8, "expected a property name after '.'"],
    ['$body.x = 1abc', 10, 'invalid number'],
    ["(type = 'x'", 11, "expected ')'"],
    ["type = 'x')", 10, 'expected AND, OR or the end'],
    ["type = 'x' AND", 14, 'expected a condition'],
    ["type = 'x' OR OR type = 'y'", 14, "expected a field or a value, found 'OR'"],
    ["AND type = 'x'", 0, "expected a field or a value, found 'AND'"],
    ["type = 'x' # comment", 11, 'unexpected character'],
    ["STARTS_WITH(type)", 16, "expected ','"],
    ["STARTS_WITH(type, 'a', 'b')", 21, "expected ')'"],
    ['STARTS_WITH(type, 1)', 18, 'are strings'],
    ["LOWER(type) = 'x'", 0, "unknown function 'LOWER'"],
    ["STARTS_WITH = 'x'", 0, 'expected a field or a value'],
    ["$eventType = 'Telemetry'", 13, "unknown event type 'Telemetry'"],
    ["$eventType < 'DigitalTwinTelemetryMessages'", 11, 'only be compared with = or !='],
    ['$eventType = 1', 13, 'compared with a string'],
    ["$other = 'x'", 0, "unknown field '$other'"],
    ['$patch.Temperature > 1', 7, 'JSON pointer'],
    ["CHANGED('Temperature')", 8, 'not a JSON pointer'],
    ['CHANGED(type)', 8, 'CHANGED takes a JSON pointer'],
    ['$body.x = 1 AND NOT', 19, 'expected a condition'],
    ['- 1 = $body.x', 0, 'expected a field or a value'],
  ] as const)('%j is rejected at position %d', (filter, position, message) => {
    const error = rejection(filter);
    expect(error.position).toBe(position);
    expect(error.code).toBe('EventRouteFilterInvalid');
    expect(error.message).toContain(`position ${position}`);
    expect(error.detail).toContain(message);
  });

  it(`filters longer than ${EVENT_FILTER_LIMITS.maxLength} characters`, () => {
    const clause = "subject = 'room1' OR ";
    const long = `${clause.repeat(Math.ceil(EVENT_FILTER_LIMITS.maxLength / clause.length))}true`;
    expect(rejection(long).position).toBe(EVENT_FILTER_LIMITS.maxLength);
    const fits = `${clause.repeat(Math.floor((EVENT_FILTER_LIMITS.maxLength - 4) / clause.length))}true`;
    expect(fits.length).toBeLessThanOrEqual(EVENT_FILTER_LIMITS.maxLength);
    expect(() => compileEventFilter(fits)).not.toThrow();
  });

  it(`nesting deeper than ${EVENT_FILTER_LIMITS.maxDepth} levels`, () => {
    const depth = EVENT_FILTER_LIMITS.maxDepth;
    expect(() => compileEventFilter(`${'('.repeat(depth)}true${')'.repeat(depth)}`)).not.toThrow();
    expect(rejection(`${'('.repeat(depth + 1)}true${')'.repeat(depth + 1)}`).position).toBe(depth);
    expect(rejection(`${'NOT '.repeat(depth + 1)}true`).position).toBe(depth * 4);
    expect(() => compileEventFilter(`${'NOT '.repeat(depth)}true`)).not.toThrow();
  });

  it('is an Error whose message names the position', () => {
    const error = rejection("type = 'x' AND AND");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('EventFilterError');
    expect(error.message).toBe("Invalid event route filter at position 15: expected a field or a value, found 'AND'");
  });
});
