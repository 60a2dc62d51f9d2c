import { Module, type DynamicModule } from '@nestjs/common';
import { OutboxWaker } from '@odt/outbox';
import { serviceFoundation } from '@odt/service-runtime';
import { JOBS_CONFIG, type JobsConfig } from './config';
import { jobsDataSourceOptions } from './database/data-source';
import { JobsController } from './jobs/jobs.controller';
import { JobsRepository } from './jobs/jobs.repository';
import { JobsService } from './jobs/jobs.service';
import { JobStorage } from './storage/job-storage';
import { DeleteRunner } from './worker/delete-runner';
import { ExportRunner } from './worker/export-runner';
import { ImportRunner } from './worker/import-runner';
import { JobWorker } from './worker/job-worker';

export const SERVICE_NAME = 'jobs-service';

@Module({})
export class JobsAppModule {
  static forRoot(config: JobsConfig): DynamicModule {
    return {
      module: JobsAppModule,
      imports: [
        ...serviceFoundation(SERVICE_NAME, config, {
          database: { url: config.DATABASE_URL, options: jobsDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE) },
        }),
      ],
      providers: [
        { provide: JOBS_CONFIG, useValue: config },
        { provide: JobStorage, useFactory: () => new JobStorage(config.JOBS_STORAGE_DIR, config.JOBS_ALLOW_PRIVATE_URLS) },
        JobsRepository,
        JobsService,
        ImportRunner,
        DeleteRunner,
        OutboxWaker,
        ExportRunner,
        JobWorker,
      ],
      controllers: [JobsController],
    };
  }
}
