import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { RelationshipsAppModule } from './app.module';
import { loadRelationshipsConfig, type RelationshipsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export function startRelationshipsService(config: RelationshipsConfig, handleSignals = true) {
  return bootstrapService(RelationshipsAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals,
  });
}

if (require.main === module) {
  startRelationshipsService(loadRelationshipsConfig()).catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'relationships-service', msg: (err as Error).message })}\n`);
  process.exit(1);
  });
}
