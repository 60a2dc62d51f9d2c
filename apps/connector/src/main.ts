import 'reflect-metadata';
import { runIfMain } from '@odt/service-kit';
import { startService } from '@odt/service-runtime';
import { ConnectorAppModule } from './app.module';
import { loadConnectorConfig, type ConnectorConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startConnector = (config: ConnectorConfig, handleSignals = true) =>
  startService(ConnectorAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'connector', () => startConnector(loadConnectorConfig()));
