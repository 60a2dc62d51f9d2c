import { DynamicModule, Global, Module, type FactoryProvider, type InjectionToken } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { HealthController, READINESS_CHECKS, ReadinessService, type ReadinessCheck } from './health';
import { createLogger, nestLoggerParams } from './logger';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export interface ServiceKitOptions {
  service: string;
  logLevel: string;
  /** Builds the readiness checks from the service's own providers (Postgres, NATS, ...). */
  readiness: { inject: InjectionToken[]; useFactory: (...deps: never[]) => ReadinessCheck[] };
}

/** Logging, `/healthz` and `/readyz`: the operational surface every service shares. */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    const logger = createLogger(options.service, options.logLevel);
    const checks: FactoryProvider<ReadinessCheck[]> = {
      provide: READINESS_CHECKS,
      inject: options.readiness.inject,
      useFactory: options.readiness.useFactory as (...deps: unknown[]) => ReadinessCheck[],
    };
    const params = nestLoggerParams(options.service, options.logLevel);
    return {
      module: ServiceKitModule,
      imports: [LoggerModule.forRoot({ ...params, pinoHttp: { ...params.pinoHttp as object, logger } })],
      controllers: [HealthController],
      providers: [{ provide: ROOT_LOGGER, useValue: logger as Logger }, checks, ReadinessService],
      exports: [ROOT_LOGGER, ReadinessService],
    };
  }
}
