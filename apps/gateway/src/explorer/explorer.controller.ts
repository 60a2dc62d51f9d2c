import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PublicRoute } from '../http/public-route';
import { ExplorerFiles } from './explorer-files';

/**
 * The Explorer's scripts, workers (ForceAtlas2 runs from a blob: worker) and styles are its own;
 * CodeMirror and React set inline styles; it talks to this gateway only.
 */
const EXPLORER_CSP = "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/** The Explorer (apps/explorer, built with Vite) at /explorer/: same origin as the API, so no CORS. */
@Controller()
export class ExplorerController {
  constructor(@Inject(ExplorerFiles) private readonly files: ExplorerFiles) {}

  @Get('explorer')
  @PublicRoute()
  redirect(@Res() reply: FastifyReply): void {
    void reply.redirect('/explorer/', 301);
  }

  @Get('explorer/*')
  @PublicRoute()
  serve(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    if (!this.files.available()) {
      throw new DomainError('RouteNotFound', 'The Explorer is not built: run `npm run build -w apps/explorer` (`npm start` does it when it is missing).');
    }
    const relative = req.url.split('?')[0].slice('/explorer/'.length);
    const file = this.files.file(relative);
    if (!file) throw new DomainError('RouteNotFound', `There is no file ${relative} in the Explorer.`);
    void reply
      .header('cache-control', file.cacheControl)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', EXPLORER_CSP)
      .type(file.type)
      .send(file.body);
  }
}
