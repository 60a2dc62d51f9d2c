import 'reflect-metadata';
import { bootstrapService } from '@odt/service-kit';
import { RouterAppModule } from './app.module';
import { loadRouterConfig } from './config';

async function main(): Promise<void> {
  const config = loadRouterConfig();
  await bootstrapService(RouterAppModule.forRoot(config), {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'event-router', msg: (err as Error).message })}\n`);
  process.exit(1);
});
