import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { TwinsAppModule } from './app.module';
import { loadTwinsConfig } from './config';

async function main(): Promise<void> {
  const config = loadTwinsConfig();
  await bootstrapService(TwinsAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'twins-service', msg: (err as Error).message })}\n`);
  process.exit(1);
});
