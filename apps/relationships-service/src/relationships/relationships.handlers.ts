import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { RelationshipsService } from './relationships.service';

type S = typeof Subjects;

/** The relationships service's internal API (see docs/internal-api.md). */
@InternalApiController()
export class RelationshipsHandlers {
  constructor(private readonly relationships: RelationshipsService) {}

  @MessagePattern(Subjects.RelationshipsGet)
  get(@Payload() req: RequestOf<S['RelationshipsGet']>): Promise<ReplyOf<S['RelationshipsGet']>> {
    return this.relationships.get(req.sourceId, req.relationshipId);
  }

  @MessagePattern(Subjects.RelationshipsUpsert)
  upsert(@Payload() req: RequestOf<S['RelationshipsUpsert']>): Promise<ReplyOf<S['RelationshipsUpsert']>> {
    return this.relationships.upsert(req.sourceId, req.relationshipId, req.relationship, req.ifNoneMatch);
  }

  @MessagePattern(Subjects.RelationshipsPatch)
  patch(@Payload() req: RequestOf<S['RelationshipsPatch']>): Promise<ReplyOf<S['RelationshipsPatch']>> {
    return this.relationships.patch(req.sourceId, req.relationshipId, req.patch, req.ifMatch);
  }

  @MessagePattern(Subjects.RelationshipsDelete)
  async delete(@Payload() req: RequestOf<S['RelationshipsDelete']>): Promise<null> {
    await this.relationships.delete(req.sourceId, req.relationshipId, req.ifMatch);
    return null;
  }

  @MessagePattern(Subjects.RelationshipsList)
  list(@Payload() req: RequestOf<S['RelationshipsList']>): Promise<ReplyOf<S['RelationshipsList']>> {
    return this.relationships.listOutgoing(req);
  }

  @MessagePattern(Subjects.RelationshipsListIncoming)
  incoming(@Payload() req: RequestOf<S['RelationshipsListIncoming']>): Promise<ReplyOf<S['RelationshipsListIncoming']>> {
    return this.relationships.listIncoming(req);
  }
}
