import 'reflect-metadata';
import { runIfMain } from '@odt/service-kit';
import { startService } from '@odt/service-runtime';
import { ModelsAppModule } from './app.module';
import { loadModelsConfig, type ModelsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startModelsService = (config: ModelsConfig, handleSignals = true) =>
  startService(ModelsAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'models-service', () => startModelsService(loadModelsConfig()));
