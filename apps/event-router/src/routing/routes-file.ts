import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ROOT_LOGGER } from '@odt/service-kit';
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { z } from 'zod';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { RoutingService } from './routing.service';

/** `routes.yaml`: endpoints and routes kept in git, applied through the same checks as the API. */
const routesFile = z.object({
  endpoints: z.record(z.string(), z.unknown()).default({}),
  routes: z.record(z.string(), z.object({ endpointName: z.string(), filter: z.string() })).default({}),
}).strict();

/**
 * Beyond ADT (whose routes cannot be kept as code): applies `ROUTES_FILE` at start and again
 * whenever the file changes. It creates and replaces what it names and leaves anything else alone.
 */
@Injectable()
export class RoutesFile implements OnApplicationBootstrap, OnApplicationShutdown {
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;

  constructor(
    private readonly routing: RoutingService,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = this.config.ROUTES_FILE;
    if (!file) return;
    await this.apply(file);
    this.watcher = watch(file, () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.apply(file).catch(() => undefined), 200);
    });
  }

  onApplicationShutdown(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  /** Applies the file; an invalid file changes nothing and says why. */
  async apply(file: string): Promise<void> {
    try {
      const spec = routesFile.parse(parse(await readFile(file, 'utf8')) ?? {});
      for (const [name, endpoint] of Object.entries(spec.endpoints)) await this.routing.putEndpoint(name, endpoint);
      for (const [id, route] of Object.entries(spec.routes)) await this.routing.putRoute(id, route);
      this.logger.info({ file, endpoints: Object.keys(spec.endpoints).length, routes: Object.keys(spec.routes).length }, 'routes file applied');
    } catch (err) {
      this.logger.error({ file, err: (err as Error).message }, 'routes file not applied');
      throw err;
    }
  }
}
