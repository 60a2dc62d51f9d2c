import { Injectable } from '@nestjs/common';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { RpcHandler, type RpcContext } from '@odt/messaging';
import { TwinsService } from './twins.service';

type S = typeof Subjects;

/** The twins service's internal API (see docs/internal-api.md). */
@Injectable()
export class TwinsHandlers {
  constructor(private readonly twins: TwinsService) {}

  @RpcHandler(Subjects.TwinsGet)
  get(req: RequestOf<S['TwinsGet']>): Promise<ReplyOf<S['TwinsGet']>> {
    return this.twins.get(req.id);
  }

  @RpcHandler(Subjects.TwinsUpsert)
  upsert(req: RequestOf<S['TwinsUpsert']>, ctx: RpcContext): Promise<ReplyOf<S['TwinsUpsert']>> {
    return this.twins.upsert(req.id, req.twin, req.ifNoneMatch, ctx.requestId);
  }

  @RpcHandler(Subjects.TwinsPatch)
  patch(req: RequestOf<S['TwinsPatch']>, ctx: RpcContext): Promise<ReplyOf<S['TwinsPatch']>> {
    return this.twins.patch(req.id, req.patch, req.ifMatch, ctx.requestId);
  }

  @RpcHandler(Subjects.TwinsDelete)
  async delete(req: RequestOf<S['TwinsDelete']>): Promise<null> {
    await this.twins.delete(req.id, req.ifMatch);
    return null;
  }
}
