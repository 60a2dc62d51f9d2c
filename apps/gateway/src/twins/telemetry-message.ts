import { DomainError } from '@odt/contracts';

export interface TelemetryMessage {
  messageId: string;
  payload: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The message id and payload of a telemetry request (`Message-Id` and a body are required).
 *
 * `@azure/digital-twins-core` 1.x swaps two arguments on component telemetry: its
 * `publishComponentTelemetry(twinId, componentName, payload, messageId)` calls the generated
 * `sendComponentTelemetry(id, componentPath, messageId, telemetry)` as
 * `(twinId, componentName, payload, messageId)`. So the payload, which must then be a string
 * (the SDK throws on an object), goes out as the `Message-Id` header, and the message id (a fresh
 * UUID when none was given) as the JSON body:
 *
 *     Message-Id: {"temperature":21}
 *     body: "3f1c5b8e-…"
 *
 * On the component route, a `Message-Id` that parses as a JSON object together with a body that
 * is a JSON string is taken to be that call, and put back the right way round.
 */
export function telemetryMessage(header: string | undefined, body: unknown, route: 'twin' | 'component'): TelemetryMessage {
  if (header === undefined || header === '') {
    throw new DomainError('InvalidArgument', 'The Message-Id header is required to send telemetry.');
  }
  if (body === undefined) throw new DomainError('InvalidArgument', 'The telemetry payload (a JSON request body) is required.');
  if (route === 'component' && typeof body === 'string' && body.length > 0) {
    const swapped = parseObject(header);
    if (swapped) return { messageId: body, payload: swapped };
  }
  return { messageId: header, payload: body };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
