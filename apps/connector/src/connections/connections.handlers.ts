import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { ConnectionsService } from './connections.service';

type S = typeof Subjects;

/** The connector's internal API (see docs/internal-api.md#connections). */
@InternalApiController()
export class ConnectionsHandlers {
  constructor(private readonly connections: ConnectionsService) {}

  @MessagePattern(Subjects.ConnectionsPut)
  put(@Payload() req: RequestOf<S['ConnectionsPut']>): Promise<ReplyOf<S['ConnectionsPut']>> {
    return this.connections.put(req.name, req.connection);
  }

  @MessagePattern(Subjects.ConnectionsGet)
  get(@Payload() req: RequestOf<S['ConnectionsGet']>): Promise<ReplyOf<S['ConnectionsGet']>> {
    return this.connections.get(req.name);
  }

  @MessagePattern(Subjects.ConnectionsList)
  list(@Payload() req: RequestOf<S['ConnectionsList']>): Promise<ReplyOf<S['ConnectionsList']>> {
    return this.connections.list(req.maxItemsPerPage, req.cursor);
  }

  @MessagePattern(Subjects.ConnectionsDelete)
  async delete(@Payload() req: RequestOf<S['ConnectionsDelete']>): Promise<null> {
    await this.connections.delete(req.name);
    return null;
  }

  @MessagePattern(Subjects.ConnectionsTest)
  test(@Payload() req: RequestOf<S['ConnectionsTest']>): Promise<ReplyOf<S['ConnectionsTest']>> {
    return this.connections.test(req.name, req.sample);
  }

  @MessagePattern(Subjects.ConnectionsSend)
  send(@Payload() req: RequestOf<S['ConnectionsSend']>): Promise<ReplyOf<S['ConnectionsSend']>> {
    return this.connections.send(req.name, req.messages, req.headers);
  }

  @MessagePattern(Subjects.ConnectionDeadLettersList)
  deadLetters(@Payload() req: RequestOf<S['ConnectionDeadLettersList']>): Promise<ReplyOf<S['ConnectionDeadLettersList']>> {
    return this.connections.deadLetters(req.name, req.maxItemsPerPage);
  }

  @MessagePattern(Subjects.ConnectionDeadLettersReplay)
  replay(@Payload() req: RequestOf<S['ConnectionDeadLettersReplay']>): Promise<ReplyOf<S['ConnectionDeadLettersReplay']>> {
    return this.connections.replay(req.name);
  }
}
