import { SUPPORTED_API_VERSIONS } from '../http/api-version';

export interface LandingLinks {
  apiReference: string;
  openapi: string;
  docs?: string;
  health: string;
  readiness: string;
  metrics: string;
  explorer?: string;
}

export interface Landing {
  name: string;
  description: string;
  apiVersions: readonly string[];
  authentication: 'none' | 'bearer';
  links: LandingLinks;
}

export function landing(links: LandingLinks, authentication: Landing['authentication']): Landing {
  return {
    name: 'Open Digital Twins',
    description: 'The Azure Digital Twins data-plane API: send api-version=2023-10-31 with every API call.',
    apiVersions: SUPPORTED_API_VERSIONS,
    authentication,
    links,
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The same, for a browser. */
export function landingHtml(page: Landing): string {
  const items: [string, string | undefined, string][] = [
    ['API reference', page.links.apiReference, 'every operation, interactive'],
    ['OpenAPI 3.1 description', page.links.openapi, 'for code generators and API tools'],
    ['Documentation', page.links.docs, 'architecture, security, events, configuration'],
    ['Explorer', page.links.explorer, 'browse models, twins and relationships'],
    ['Health', page.links.health, 'process alive'],
    ['Readiness', page.links.readiness, 'NATS reachable'],
    ['Metrics', page.links.metrics, 'Prometheus'],
  ];
  const list = items.filter(([, href]) => href).map(([label, href, what]) => `<li><a href="${escape(href as string)}">${escape(label)}</a> — ${escape(what)}</li>`).join('\n      ');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(page.name)}</title>
  <style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .25rem}</style></head>
  <body>
    <h1>${escape(page.name)}</h1>
    <p>${escape(page.description)}</p>
    <p>Authentication: ${page.authentication === 'none' ? 'off (loopback only)' : 'bearer tokens (<code>Authorization: Bearer …</code>)'}.</p>
    <ul>
      ${list}
    </ul>
  </body>
</html>
`;
}
