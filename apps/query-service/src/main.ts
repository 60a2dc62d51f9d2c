import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { QueryAppModule } from './app.module';
import { loadQueryConfig, type QueryConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export function startQueryService(config: QueryConfig, handleSignals = true) {
  return bootstrapService(QueryAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals,
  });
}

if (require.main === module) {
  startQueryService(loadQueryConfig()).catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'query-service', msg: (err as Error).message })}\n`);
  process.exit(1);
  });
}
