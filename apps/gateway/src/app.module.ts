import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { serviceFoundation } from '@odt/service-runtime';
import { AuditController } from './auth/audit.controller';
import { AuditLog } from './auth/audit-log';
import { CallerActions } from './auth/caller-actions';
import { BatchController } from './batch/batch.controller';
import { ConnectionsController } from './connections/connections.controller';
import { DataActionGuard } from './auth/data-action.guard';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { ExplorerController } from './explorer/explorer.controller';
import { ExplorerFiles } from './explorer/explorer-files';
import { SavedQueriesController } from './explorer/saved-queries.controller';
import { SavedQueriesRepository } from './explorer/saved-queries.repository';
import { AdtExceptionFilter } from './http/adt-exception.filter';
import { GatewayListeners } from './http/listeners';
import { ServedRoutes } from './http/served-routes';
import { HistoryController } from './history/history.controller';
import { JobsController } from './jobs/jobs.controller';
import { ModelsController } from './models/models.controller';
import { LiveEventsController } from './events/live-events.controller';
import { StreamTickets } from './events/stream-tickets';
import { QueryController } from './query/query.controller';
import { EndpointsController } from './routing/endpoints.controller';
import { EventRoutesController } from './routing/event-routes.controller';
import { ReferenceController } from './reference/reference.controller';
import { RelationshipsController } from './relationships/relationships.controller';
import { ComponentsController } from './twins/components.controller';
import { TelemetryController } from './twins/telemetry.controller';
import { TwinsController } from './twins/twins.controller';

export const SERVICE_NAME = 'gateway';

@Module({})
export class GatewayAppModule {
  static forRoot(config: GatewayConfig, listeners: GatewayListeners, routes = new ServedRoutes()): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [
        ...serviceFoundation(SERVICE_NAME, config),
      ],
      controllers: [ReferenceController, ExplorerController, SavedQueriesController, AuditController, ModelsController, QueryController, LiveEventsController, EventRoutesController, EndpointsController, RelationshipsController, HistoryController, JobsController, TwinsController, ComponentsController, TelemetryController, BatchController, ConnectionsController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GatewayListeners, useValue: listeners },
        { provide: ServedRoutes, useValue: routes },
        { provide: APP_FILTER, useClass: AdtExceptionFilter },
        { provide: APP_GUARD, useClass: DataActionGuard },
        AuditLog,
        CallerActions,
        StreamTickets,
        { provide: ExplorerFiles, useValue: new ExplorerFiles() },
        SavedQueriesRepository,
      ],
    };
  }
}
