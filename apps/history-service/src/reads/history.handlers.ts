import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { HistoryEvents } from './history-events';
import { AsOfQueryService } from './as-of-query.service';
import { HistoryReads } from './history-reads.service';

type S = typeof Subjects;

/** The history service's internal API (see docs/internal-api.md and docs/history.md). */
@InternalApiController()
export class HistoryHandlers {
  constructor(
    private readonly reads: HistoryReads,
    private readonly queries: AsOfQueryService,
    private readonly events: HistoryEvents,
  ) {}

  @MessagePattern(Subjects.HistoryTwinGet)
  twin(@Payload() req: RequestOf<S['HistoryTwinGet']>): Promise<ReplyOf<S['HistoryTwinGet']>> {
    return this.reads.twin(req.id, req.asOf);
  }

  @MessagePattern(Subjects.HistoryRelationshipGet)
  relationship(@Payload() req: RequestOf<S['HistoryRelationshipGet']>): Promise<ReplyOf<S['HistoryRelationshipGet']>> {
    return this.reads.relationship(req.sourceId, req.relationshipId, req.asOf);
  }

  @MessagePattern(Subjects.HistoryRelationshipsList)
  outgoing(@Payload() req: RequestOf<S['HistoryRelationshipsList']>): Promise<ReplyOf<S['HistoryRelationshipsList']>> {
    return this.reads.outgoing(req);
  }

  @MessagePattern(Subjects.HistoryRelationshipsIncoming)
  incoming(@Payload() req: RequestOf<S['HistoryRelationshipsIncoming']>): Promise<ReplyOf<S['HistoryRelationshipsIncoming']>> {
    return this.reads.incoming(req);
  }

  @MessagePattern(Subjects.HistoryPropertyValues)
  values(@Payload() req: RequestOf<S['HistoryPropertyValues']>): Promise<ReplyOf<S['HistoryPropertyValues']>> {
    return this.reads.values(req);
  }

  @MessagePattern(Subjects.HistoryQuery)
  query(@Payload() req: RequestOf<S['HistoryQuery']>): Promise<ReplyOf<S['HistoryQuery']>> {
    return this.queries.run(req);
  }

  @MessagePattern(Subjects.HistoryPurge)
  purge(@Payload() req: RequestOf<S['HistoryPurge']>): Promise<ReplyOf<S['HistoryPurge']>> {
    return this.reads.purge(req.twinId);
  }

  @MessagePattern(Subjects.HistoryEvents)
  replay(@Payload() req: RequestOf<S['HistoryEvents']>): Promise<ReplyOf<S['HistoryEvents']>> {
    return this.events.replay(req);
  }
}
