import { DynamicModule, Global, Module, type FactoryProvider, type InjectionToken } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController, READINESS_CHECKS, ReadinessService, type ReadinessCheck } from './health';
import { createLogger } from './logger';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export interface ServiceKitOptions {
  service: string;
  logLevel: string;
  /** Builds the readiness checks from the service's own providers (Postgres, NATS, ...). */
  readiness: { inject: InjectionToken[]; useFactory: (...deps: never[]) => ReadinessCheck[] };
}

/** The service's logger, `/healthz` and `/readyz`: the operational surface every service shares. */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    const checks: FactoryProvider<ReadinessCheck[]> = {
      provide: READINESS_CHECKS,
      inject: options.readiness.inject,
      useFactory: options.readiness.useFactory as (...deps: unknown[]) => ReadinessCheck[],
    };
    return {
      module: ServiceKitModule,
      controllers: [HealthController],
      providers: [{ provide: ROOT_LOGGER, useValue: createLogger(options.service, options.logLevel) as Logger }, checks, ReadinessService],
      exports: [ROOT_LOGGER, ReadinessService],
    };
  }
}
