import { Module, type DynamicModule } from '@nestjs/common';
import { serviceFoundation } from '@odt/service-runtime';
import { ROUTER_CONFIG, type RouterConfig } from './config';
import { routingDataSourceOptions } from './database/data-source';
import { DeliveryManager } from './delivery/delivery-manager';
import { RoutingHandlers } from './routing/routing.handlers';
import { RoutingRepository } from './routing/routing.repository';
import { RoutesFile } from './routing/routes-file';
import { RoutingService } from './routing/routing.service';

export const SERVICE_NAME = 'event-router';

@Module({})
export class RouterAppModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterAppModule,
      imports: [
        ...serviceFoundation(SERVICE_NAME, config, {
          database: { url: config.DATABASE_URL, options: routingDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE) },
        }),
      ],
      providers: [{ provide: ROUTER_CONFIG, useValue: config }, RoutingRepository, RoutingService, DeliveryManager, RoutesFile],
      controllers: [RoutingHandlers],
    };
  }
}
