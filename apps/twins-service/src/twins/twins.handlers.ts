import { Injectable } from '@nestjs/common';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { RpcHandler, type RpcContext } from '@odt/messaging';
import { TelemetryService } from './telemetry.service';
import { TwinsService } from './twins.service';

type S = typeof Subjects;

/** The twins service's internal API (see docs/internal-api.md). */
@Injectable()
export class TwinsHandlers {
  constructor(
    private readonly twins: TwinsService,
    private readonly telemetry: TelemetryService,
  ) {}

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

  @RpcHandler(Subjects.ComponentsGet)
  getComponent(req: RequestOf<S['ComponentsGet']>): Promise<ReplyOf<S['ComponentsGet']>> {
    return this.twins.getComponent(req.id, req.component);
  }

  @RpcHandler(Subjects.ComponentsPatch)
  patchComponent(req: RequestOf<S['ComponentsPatch']>, ctx: RpcContext): Promise<ReplyOf<S['ComponentsPatch']>> {
    return this.twins.patchComponent(req.id, req.component, req.patch, req.ifMatch, ctx.requestId);
  }

  @RpcHandler(Subjects.TelemetryPublish)
  async publishTelemetry(req: RequestOf<S['TelemetryPublish']>, ctx: RpcContext): Promise<null> {
    await this.telemetry.publish(req, ctx.requestId);
    return null;
  }
}
