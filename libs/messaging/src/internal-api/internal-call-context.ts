import { BaseRpcContext } from '@nestjs/microservices';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { CallContext } from '@odt/service-kit';

/**
 * What a `@MessagePattern` handler can ask for with `@Ctx()`: like Nest's `NatsContext` (subject,
 * headers), plus the call context read from the headers (request id, caller, trace).
 */
export class InternalCallContext extends BaseRpcContext<[string, MsgHdrs | undefined, CallContext]> {
  constructor(subject: string, headers: MsgHdrs | undefined, call: CallContext) {
    super([subject, headers, call]);
  }

  getSubject(): string {
    return this.args[0];
  }

  getHeaders(): MsgHdrs | undefined {
    return this.args[1];
  }

  getCall(): CallContext {
    return this.args[2];
  }
}
