import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { DomainError } from '@odt/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { PublicRoute } from '../http/public-route';
import { explorerConfigOf, explorerCsp, type ExplorerConfig } from './explorer-config';
import { ExplorerFiles } from './explorer-files';

/** The Explorer (apps/explorer, built with Vite) at /explorer/: same origin as the API, so no CORS. */
@Controller()
export class ExplorerController {
  private readonly explorer: ExplorerConfig;
  private readonly csp: string;

  constructor(@Inject(ExplorerFiles) private readonly files: ExplorerFiles, @Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.explorer = explorerConfigOf(config);
    this.csp = explorerCsp(this.explorer);
  }

  @Get('explorer')
  @PublicRoute()
  redirect(@Res() reply: FastifyReply): void {
    void reply.redirect('/explorer/', 301);
  }

  /** How the Explorer signs in (issuer, client id, scopes), from the validated configuration. */
  @Get('explorer/config.json')
  @PublicRoute()
  config(@Res() reply: FastifyReply): void {
    void reply.header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').type('application/json; charset=utf-8').send(JSON.stringify(this.explorer));
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
      .header('content-security-policy', this.csp)
      .type(file.type)
      .send(file.body);
  }
}
