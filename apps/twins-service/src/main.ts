import 'reflect-metadata';
import { bootstrapService, runIfMain } from '@odt/service-kit';
import { TwinsAppModule } from './app.module';
import { loadTwinsConfig, type TwinsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startTwinsService = (config: TwinsConfig, handleSignals = true) =>
  bootstrapService(TwinsAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'twins-service', () => startTwinsService(loadTwinsConfig()));
