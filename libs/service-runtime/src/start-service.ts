import type { DynamicModule, Type } from '@nestjs/common';
import { startInternalApi } from '@odt/messaging';
import { bootstrapService, type BootstrapOptions, type ServerConfig } from '@odt/service-kit';

/**
 * Starts a service process: its internal API (the `@MessagePattern` handlers, on NATS) first, then
 * its HTTP port (health and metrics, and the public API for the gateway).
 */
export function startService(module: Type<unknown> | DynamicModule, config: ServerConfig, options: BootstrapOptions = {}) {
  return bootstrapService(module, config, {
    ...options,
    configure: async (app) => {
      await startInternalApi(app);
      await options.configure?.(app);
    },
  });
}
