import { EventTypes, type DigitalTwin, type DigitalTwinsEvent, type Relationship, type UpdateEventData } from '@odt/contracts';

/** The events a subscriber receives, by type: narrow on `event.type`. */
export type TypedEvent =
  | (DigitalTwinsEvent<DigitalTwin> & { type: typeof EventTypes.TwinCreate | typeof EventTypes.TwinDelete })
  | (DigitalTwinsEvent<UpdateEventData> & { type: typeof EventTypes.TwinUpdate | typeof EventTypes.RelationshipUpdate })
  | (DigitalTwinsEvent<Relationship> & { type: typeof EventTypes.RelationshipCreate | typeof EventTypes.RelationshipDelete })
  | (DigitalTwinsEvent<unknown> & { type: typeof EventTypes.Telemetry });

/** The value an update set at a JSON Pointer, if it did (`add`/`replace` of exactly that path). */
export function patchedValue(event: TypedEvent, pointer: string): unknown {
  if (event.type !== EventTypes.TwinUpdate && event.type !== EventTypes.RelationshipUpdate) return undefined;
  const op = [...event.data.patch].reverse().find((o) => o.path === pointer && (o.op === 'add' || o.op === 'replace'));
  return op?.value;
}
