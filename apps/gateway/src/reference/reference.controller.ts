import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Headers, Inject, Param, Req, Res } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { authModeOf } from '../auth/token-verifier';
import { ExplorerFiles } from '../explorer/explorer-files';
import { PublicRoute } from '../http/public-route';
import { DocsPages } from './docs-pages';
import { landing, landingHtml, type LandingLinks } from './landing-page';
import { openApiDocumentFor } from './openapi-document';

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
/** The Swagger UI files the reference page loads, all from the npm package: no CDN. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Open Digital Twins API reference</title>
  <link rel="icon" href="/docs/api/favicon-32x32.png"><link rel="stylesheet" href="/docs/api/swagger-ui.css"></head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/api/swagger-ui-bundle.js"></script>
    <script src="/docs/api/init.js"></script>
  </body>
</html>
`;
// validatorUrl null: Swagger UI would otherwise send the document to an online validator.
const REFERENCE_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;
/** The reference pages run only their own scripts; Swagger UI styles elements inline. */
const PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'";

/**
 * Beyond ADT, no token and no api-version needed: the landing page (`GET /`, HTML for a browser,
 * JSON for API clients), the OpenAPI 3.1 description (`GET /openapi.json`), the interactive API
 * reference (`GET /docs/api`, Swagger UI served from the npm package), and the documentation
 * pages when the gateway runs from a checkout.
 */
@Controller()
export class ReferenceController {
  private readonly assets = new Map<string, Buffer>();
  private readonly docs = new DocsPages();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig, @Inject(ExplorerFiles) private readonly explorer: ExplorerFiles) {}

  @Get()
  @PublicRoute()
  home(@Headers('accept') accept: string | undefined, @Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const page = landing(this.links(req), authModeOf(this.config) === 'none' ? 'none' : 'bearer');
    if (prefersHtml(accept)) {
      void reply.header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(landingHtml(page));
    } else {
      void reply.type('application/json; charset=utf-8').send(page);
    }
  }

  @Get('openapi.json')
  @PublicRoute()
  openapi(@Req() req: FastifyRequest): object {
    return openApiDocumentFor(`${req.protocol}://${req.host}`);
  }

  @Get('docs/api')
  @PublicRoute()
  reference(@Res() reply: FastifyReply): void {
    void reply.header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8').send(REFERENCE_PAGE);
  }

  @Get('docs/api/:asset')
  @PublicRoute()
  asset(@Param('asset') name: string, @Res() reply: FastifyReply): void {
    if (name === 'init.js') {
      void reply.type('text/javascript; charset=utf-8').send(REFERENCE_INIT);
      return;
    }
    const type = ASSETS[name];
    if (!type) throw new DomainError('RouteNotFound', `There is no file ${name} in the API reference.`);
    let body = this.assets.get(name);
    if (!body) {
      body = readFileSync(path.join(SWAGGER_UI_DIR, name));
      this.assets.set(name, body);
    }
    void reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  }

  @Get('docs')
  @PublicRoute()
  docsIndex(@Res() reply: FastifyReply): void {
    const names = this.docs.names();
    if (names.length === 0) throw new DomainError('RouteNotFound', 'This installation carries no documentation pages.');
    const items = names.map((n) => `<li><a href="/docs/${n}">${n}</a></li>`).join('\n');
    void reply.header('content-security-policy', PAGE_CSP).type('text/html; charset=utf-8')
      .send(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Documentation</title></head>\n<body><h1>Documentation</h1><ul>\n${items}\n</ul><p><a href="/docs/api">API reference</a></p></body></html>\n`);
  }

  @Get('docs/:page')
  @PublicRoute()
  docsPage(@Param('page') page: string, @Res() reply: FastifyReply): void {
    const text = this.docs.read(page);
    if (text === undefined) throw new DomainError('RouteNotFound', `There is no documentation page ${page}.`);
    void reply.type('text/markdown; charset=utf-8').send(text);
  }

  private links(req: FastifyRequest): LandingLinks {
    const fastify = req.server as FastifyInstance;
    const explorer = this.explorer.available() && ['/explorer/', '/explorer/*'].some((url) => fastify.hasRoute({ method: 'GET', url }));
    return {
      apiReference: '/docs/api',
      openapi: '/openapi.json',
      ...(this.docs.names().length > 0 ? { docs: '/docs' } : {}),
      health: '/healthz',
      readiness: '/readyz',
      metrics: '/metrics',
      ...(explorer ? { explorer: '/explorer/' } : {}),
    };
  }
}

/** A browser asks for HTML first; API clients (and `curl`, which sends `*\/*`) get JSON. */
function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}
