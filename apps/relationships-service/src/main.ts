import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { RelationshipsAppModule } from './app.module';
import { loadRelationshipsConfig } from './config';

async function main(): Promise<void> {
  const config = loadRelationshipsConfig();
  await bootstrapService(RelationshipsAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'relationships-service', msg: (err as Error).message })}\n`);
  process.exit(1);
});
