import { createHmac } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import type { DigitalTwinsEvent } from '@odt/contracts';
import type { DeliveryTarget } from './delivery-target';

/** The header carrying the HMAC-SHA256 of the body, keyed by the endpoint's secret. */
export const SIGNATURE_HEADER = 'x-odt-signature-256';
const TIMEOUT_MS = 10_000;

/**
 * Delivers to a `webhook` endpoint with the CloudEvents HTTP binding (structured by default,
 * binary on request), the endpoint's custom headers, and a signature when it has a secret.
 * Anything but a 2xx is a failure, retried by the worker.
 */
export class WebhookDelivery {
  async deliver(target: DeliveryTarget, event: DigitalTwinsEvent): Promise<void> {
    const ce = new CloudEvent(event as unknown as Record<string, unknown>, false);
    const message = target.endpoint.mode === 'binary' ? HTTP.binary(ce) : HTTP.structured(ce);
    const body = typeof message.body === 'string' ? message.body : JSON.stringify(message.body);
    const headers: Record<string, string> = { ...(target.endpoint.headers ?? {}), ...(message.headers as Record<string, string>) };
    if (target.secret) headers[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', target.secret).update(body).digest('hex')}`;
    const res = await fetch(target.endpoint.url!, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  }
}
