import { Injectable } from '@nestjs/common';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { RpcHandler } from '@odt/messaging';
import { QueryService } from './query.service';

type S = typeof Subjects;

/** The query service's internal API (see docs/internal-api.md). */
@Injectable()
export class QueryHandlers {
  constructor(private readonly queries: QueryService) {}

  @RpcHandler(Subjects.QueryRun)
  run(req: RequestOf<S['QueryRun']>): Promise<ReplyOf<S['QueryRun']>> {
    return this.queries.run(req);
  }
}
