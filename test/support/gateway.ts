/** What the gateway answered: status, ADT error code, and the JSON body (undefined when empty). */
export interface GatewayAnswer {
  status: number;
  code: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever shape the route returns
  body: any;
}

/** One API call with `api-version`; PATCH bodies are JSON Patch, others JSON. */
export async function callGateway(gatewayUrl: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<GatewayAnswer> {
  const res = await fetch(`${gatewayUrl}${route}${route.includes('?') ? '&' : '?'}api-version=2023-10-31`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, code: res.headers.get('x-ms-error-code'), body: text ? JSON.parse(text) : undefined };
}

/** Polls `check` until it holds or `ms` pass (asynchronous deliveries arrive a little later). */
export async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}
