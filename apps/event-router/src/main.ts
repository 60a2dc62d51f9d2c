import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { RouterAppModule } from './app.module';
import { loadRouterConfig, type RouterConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export function startEventRouter(config: RouterConfig, handleSignals = true) {
  return bootstrapService(RouterAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals,
  });
}

if (require.main === module) {
  startEventRouter(loadRouterConfig()).catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'event-router', msg: (err as Error).message })}\n`);
  process.exit(1);
  });
}
