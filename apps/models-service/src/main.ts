import 'reflect-metadata';
import { bootstrapService, runIfMain } from '@odt/service-kit';
import { ModelsAppModule } from './app.module';
import { loadModelsConfig, type ModelsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startModelsService = (config: ModelsConfig, handleSignals = true) =>
  bootstrapService(ModelsAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'models-service', () => startModelsService(loadModelsConfig()));
