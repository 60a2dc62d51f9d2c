import 'reflect-metadata';
import { runIfMain } from '@odt/service-kit';
import { startService } from '@odt/service-runtime';
import { JobsAppModule } from './app.module';
import { loadJobsConfig, type JobsConfig } from './config';

/** Starts the service; `handleSignals: false` when embedded (tests close it themselves). */
export const startJobsService = (config: JobsConfig, handleSignals = true) =>
  startService(JobsAppModule.forRoot(config), config, { handleSignals });

runIfMain(module, 'jobs-service', () => startJobsService(loadJobsConfig()));
