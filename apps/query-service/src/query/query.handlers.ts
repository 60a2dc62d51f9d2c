import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { QueryService } from './query.service';

type S = typeof Subjects;

/** The query service's internal API (see docs/internal-api.md). */
@InternalApiController()
export class QueryHandlers {
  constructor(private readonly queries: QueryService) {}

  @MessagePattern(Subjects.QueryRun)
  run(@Payload() req: RequestOf<S['QueryRun']>): Promise<ReplyOf<S['QueryRun']>> {
    return this.queries.run(req);
  }
}
