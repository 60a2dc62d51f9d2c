/**
 * The preview-era routing source names accepted by `$eventType = '…'` (reference §5.3), and the
 * CloudEvents `type`s each stands for.
 */
export const LEGACY_EVENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  DigitalTwinTelemetryMessages: ['microsoft.iot.telemetry'],
  DigitalTwinLifecycleNotification: ['Microsoft.DigitalTwins.Twin.Create', 'Microsoft.DigitalTwins.Twin.Delete'],
  DigitalTwinChangeNotification: ['Microsoft.DigitalTwins.Twin.Update'],
  DigitalTwinRelationshipChangeNotification: [
    'Microsoft.DigitalTwins.Relationship.Create',
    'Microsoft.DigitalTwins.Relationship.Update',
    'Microsoft.DigitalTwins.Relationship.Delete',
  ],
};

/** The CloudEvents types of a legacy name, or `undefined` when it is not one. */
export function legacyEventTypes(name: string): readonly string[] | undefined {
  return Object.prototype.hasOwnProperty.call(LEGACY_EVENT_TYPES, name) ? LEGACY_EVENT_TYPES[name] : undefined;
}
