import { compileEventFilter } from '../compile-event-filter';
import { EventFilterError } from '../event-filter-error';
import { EVENT_NAMES, EVENTS, type EventName } from './events';

/** The names of the fixture events the filter matches, in fixture order. */
export function select(filter: string): EventName[] {
  const matches = compileEventFilter(filter);
  return EVENT_NAMES.filter((name) => matches(EVENTS[name]));
}

/** The error a filter is rejected with (fails the test when it compiles). */
export function rejection(filter: string): EventFilterError {
  try {
    compileEventFilter(filter);
  } catch (err) {
    expect(err).toBeInstanceOf(EventFilterError);
    return err as EventFilterError;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be rejected`);
}
