import 'reflect-metadata';
import { bootstrapService, runIfMain } from '@odt/service-kit';
import { RelationshipsAppModule } from './app.module';
import { loadRelationshipsConfig, type RelationshipsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startRelationshipsService = (config: RelationshipsConfig, handleSignals = true) =>
  bootstrapService(RelationshipsAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'relationships-service', () => startRelationshipsService(loadRelationshipsConfig()));
