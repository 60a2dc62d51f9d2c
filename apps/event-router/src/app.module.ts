import { Module, type DynamicModule } from '@nestjs/common';
import { serviceFoundation } from '@odt/messaging';
import { ROUTER_CONFIG, type RouterConfig } from './config';
import { EventConsumer } from './consumer/event-consumer';

export const SERVICE_NAME = 'event-router';

@Module({})
export class RouterAppModule {
  static forRoot(config: RouterConfig): DynamicModule {
    return {
      module: RouterAppModule,
      imports: [
        ...serviceFoundation(SERVICE_NAME, config),
      ],
      providers: [{ provide: ROUTER_CONFIG, useValue: config }, EventConsumer],
    };
  }
}
