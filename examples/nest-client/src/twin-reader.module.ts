import { Module, type DynamicModule } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { ODT, TwinReader } from './twin-reader';

export interface TwinReaderOptions {
  /** NATS servers of the Open Digital Twins installation. */
  servers: string[];
  /** Its `NATS_NAMESPACE` (empty by default): the prefix of every subject. */
  namespace: string;
}

/** A stock `ClientProxy` for NATS, registered the way any Nest app registers one. */
@Module({})
export class TwinReaderModule {
  static forRoot(options: TwinReaderOptions): DynamicModule {
    return {
      module: TwinReaderModule,
      imports: [ClientsModule.register([{ name: ODT, transport: Transport.NATS, options: { servers: options.servers } }])],
      providers: [{ provide: TwinReader.NAMESPACE, useValue: options.namespace }, TwinReader],
      exports: [TwinReader],
    };
  }
}
