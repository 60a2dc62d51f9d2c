import 'reflect-metadata';
import { runIfMain } from '@odt/service-kit';
import { startService } from '@odt/service-runtime';
import { RouterAppModule } from './app.module';
import { loadRouterConfig, type RouterConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startEventRouter = (config: RouterConfig, handleSignals = true) =>
  startService(RouterAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'event-router', () => startEventRouter(loadRouterConfig()));
