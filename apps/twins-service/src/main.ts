import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { TwinsAppModule } from './app.module';
import { loadTwinsConfig, type TwinsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export function startTwinsService(config: TwinsConfig, handleSignals = true) {
  return bootstrapService(TwinsAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    handleSignals,
  });
}

if (require.main === module) {
  startTwinsService(loadTwinsConfig()).catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'twins-service', msg: (err as Error).message })}\n`);
  process.exit(1);
  });
}
