import { Injectable } from '@nestjs/common';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { RpcHandler, type RpcContext } from '@odt/messaging';
import { RelationshipsService } from './relationships.service';

type S = typeof Subjects;

/** The relationships service's internal API (see docs/internal-api.md). */
@Injectable()
export class RelationshipsHandlers {
  constructor(private readonly relationships: RelationshipsService) {}

  @RpcHandler(Subjects.RelationshipsGet)
  get(req: RequestOf<S['RelationshipsGet']>): Promise<ReplyOf<S['RelationshipsGet']>> {
    return this.relationships.get(req.sourceId, req.relationshipId);
  }

  @RpcHandler(Subjects.RelationshipsUpsert)
  upsert(req: RequestOf<S['RelationshipsUpsert']>, ctx: RpcContext): Promise<ReplyOf<S['RelationshipsUpsert']>> {
    return this.relationships.upsert(req.sourceId, req.relationshipId, req.relationship, req.ifNoneMatch, ctx.requestId);
  }

  @RpcHandler(Subjects.RelationshipsPatch)
  patch(req: RequestOf<S['RelationshipsPatch']>, ctx: RpcContext): Promise<ReplyOf<S['RelationshipsPatch']>> {
    return this.relationships.patch(req.sourceId, req.relationshipId, req.patch, req.ifMatch, ctx.requestId);
  }

  @RpcHandler(Subjects.RelationshipsDelete)
  async delete(req: RequestOf<S['RelationshipsDelete']>): Promise<null> {
    await this.relationships.delete(req.sourceId, req.relationshipId, req.ifMatch);
    return null;
  }

  @RpcHandler(Subjects.RelationshipsList)
  list(req: RequestOf<S['RelationshipsList']>): Promise<ReplyOf<S['RelationshipsList']>> {
    return this.relationships.listOutgoing(req);
  }

  @RpcHandler(Subjects.RelationshipsListIncoming)
  incoming(req: RequestOf<S['RelationshipsListIncoming']>): Promise<ReplyOf<S['RelationshipsListIncoming']>> {
    return this.relationships.listIncoming(req);
  }
}
