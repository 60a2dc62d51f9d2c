import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DigitalTwinsEvent } from '@odt/contracts';

/** A structured-mode CloudEvent a webhook receiver took (answered 2xx), with the path it came to. */
export interface Delivered {
  path: string;
  event: DigitalTwinsEvent;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`: the same across `close` and `open`. */
  url: string;
  /** Events answered 204, in arrival order. */
  delivered: Delivered[];
  /** Requests answered with a failure, in arrival order, with when they came. */
  refused: (Delivered & { at: number })[];
  /** The status to answer per path (default 204); anything but 2xx records nothing in `delivered`. */
  answer: Map<string, number>;
  /** Goes away: stops listening and cuts open keep-alive connections. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  open(): Promise<void>;
  deliveredTo(path: string): DigitalTwinsEvent[];
}

/** A local HTTP server standing in for webhook endpoints. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const delivered: Delivered[] = [];
  const refused: (Delivered & { at: number })[] = [];
  const answer = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      const status = answer.get(path) ?? 204;
      const event = JSON.parse(body) as DigitalTwinsEvent;
      if (status < 300) delivered.push({ path, event });
      else refused.push({ path, event, at: Date.now() });
      res.writeHead(status).end();
    });
  });
  let port = 0;
  const open = async () => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    port = (server.address() as AddressInfo).port;
  };
  await open();
  return {
    url: `http://127.0.0.1:${port}`,
    delivered,
    refused,
    answer,
    open,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
    deliveredTo: (path) => delivered.filter((d) => d.path === path).map((d) => d.event),
  };
}
