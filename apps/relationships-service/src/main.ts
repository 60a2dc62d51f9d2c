import 'reflect-metadata';
import { runIfMain } from '@odt/service-kit';
import { startService } from '@odt/service-runtime';
import { RelationshipsAppModule } from './app.module';
import { loadRelationshipsConfig, type RelationshipsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startRelationshipsService = (config: RelationshipsConfig, handleSignals = true) =>
  startService(RelationshipsAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'relationships-service', () => startRelationshipsService(loadRelationshipsConfig()));
