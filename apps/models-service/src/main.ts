import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { ModelsAppModule } from './app.module';
import { loadModelsConfig, type ModelsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export function startModelsService(config: ModelsConfig, handleSignals = true) {
  return bootstrapService(ModelsAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals,
  });
}

if (require.main === module) {
  startModelsService(loadModelsConfig()).catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'models-service', msg: (err as Error).message })}\n`);
  process.exit(1);
  });
}
