import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { ModelsAppModule } from './app.module';
import { loadModelsConfig } from './config';

async function main(): Promise<void> {
  const config = loadModelsConfig();
  await bootstrapService(ModelsAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'models-service', msg: (err as Error).message })}\n`);
  process.exit(1);
});
