import 'reflect-metadata';
import { runIfMain } from '@odt/service-kit';
import { startService } from '@odt/service-runtime';
import { TwinsAppModule } from './app.module';
import { loadTwinsConfig, type TwinsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startTwinsService = (config: TwinsConfig, handleSignals = true) =>
  startService(TwinsAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'twins-service', () => startTwinsService(loadTwinsConfig()));
