import 'reflect-metadata';
import { runIfMain } from '@odt/service-kit';
import { startService } from '@odt/service-runtime';
import { HistoryAppModule } from './app.module';
import { loadHistoryConfig, type HistoryConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startHistoryService = (config: HistoryConfig, handleSignals = true) =>
  startService(HistoryAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'history-service', () => startHistoryService(loadHistoryConfig()));
