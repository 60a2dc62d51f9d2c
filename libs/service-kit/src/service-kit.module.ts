import { DynamicModule, Global, Module, type FactoryProvider, type InjectionToken } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController, READINESS_CHECKS, ReadinessService, type ReadinessCheck } from './health';
import { createLogger } from './logger';
import { Metrics, MetricsController } from './metrics';
import { initTracing } from './tracing';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export interface ServiceKitOptions {
  service: string;
  logLevel: string;
  /** Builds the readiness checks from the service's own providers (Postgres, NATS, ...). */
  readiness: { inject: InjectionToken[]; useFactory: (...deps: never[]) => ReadinessCheck[] };
  /** OTLP/HTTP collector for traces (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  otlpEndpoint?: string;
}

/** The service's logger, `/healthz`, `/readyz`, `/metrics` and tracing: the operational surface every service shares. */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    const checks: FactoryProvider<ReadinessCheck[]> = {
      provide: READINESS_CHECKS,
      inject: options.readiness.inject,
      useFactory: options.readiness.useFactory as (...deps: unknown[]) => ReadinessCheck[],
    };
    initTracing(options.service, { otlpEndpoint: options.otlpEndpoint });
    return {
      module: ServiceKitModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: ROOT_LOGGER, useValue: createLogger(options.service, options.logLevel) as Logger },
        { provide: Metrics, useValue: new Metrics(options.service) },
        checks,
        ReadinessService,
      ],
      exports: [ROOT_LOGGER, ReadinessService, Metrics],
    };
  }
}
