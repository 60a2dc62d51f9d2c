import { Module, type DynamicModule } from '@nestjs/common';
import { serviceFoundation } from '@odt/service-runtime';
import { CONNECTOR_CONFIG, type ConnectorConfig } from './config';
import { ConnectionsHandlers } from './connections/connections.handlers';
import { ConnectionsRepository } from './connections/connections.repository';
import { ConnectionsService } from './connections/connections.service';
import { connectorDataSourceOptions } from './database/data-source';
import { ConnectionApplier } from './ingest/connection-applier';
import { ConnectionMetrics } from './ingest/connection-metrics';
import { ConnectionSupervisor } from './ingest/connection-supervisor';

export const SERVICE_NAME = 'connector';

@Module({})
export class ConnectorAppModule {
  static forRoot(config: ConnectorConfig): DynamicModule {
    return {
      module: ConnectorAppModule,
      imports: [
        ...serviceFoundation(SERVICE_NAME, config, {
          database: { url: config.DATABASE_URL, options: connectorDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE) },
        }),
      ],
      providers: [{ provide: CONNECTOR_CONFIG, useValue: config }, ConnectionsRepository, ConnectionMetrics, ConnectionApplier, ConnectionSupervisor, ConnectionsService],
      controllers: [ConnectionsHandlers],
    };
  }
}
