import type { DigitalTwinsEvent } from '@odt/contracts';
import { laneOf } from './endpoint-worker';

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
