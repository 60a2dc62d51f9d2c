import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { TelemetryService } from './telemetry.service';
import { TwinsService } from './twins.service';

type S = typeof Subjects;

/** The twins service's internal API (see docs/internal-api.md). */
@InternalApiController()
export class TwinsHandlers {
  constructor(
    private readonly twins: TwinsService,
    private readonly telemetry: TelemetryService,
  ) {}

  @MessagePattern(Subjects.TwinsGet)
  get(@Payload() req: RequestOf<S['TwinsGet']>): Promise<ReplyOf<S['TwinsGet']>> {
    return this.twins.get(req.id);
  }

  @MessagePattern(Subjects.TwinsUpsert)
  upsert(@Payload() req: RequestOf<S['TwinsUpsert']>): Promise<ReplyOf<S['TwinsUpsert']>> {
    return this.twins.upsert(req.id, req.twin, req.ifNoneMatch);
  }

  @MessagePattern(Subjects.TwinsPatch)
  patch(@Payload() req: RequestOf<S['TwinsPatch']>): Promise<ReplyOf<S['TwinsPatch']>> {
    return this.twins.patch(req.id, req.patch, req.ifMatch);
  }

  @MessagePattern(Subjects.TwinsDelete)
  async delete(@Payload() req: RequestOf<S['TwinsDelete']>): Promise<null> {
    await this.twins.delete(req.id, req.ifMatch);
    return null;
  }

  @MessagePattern(Subjects.ComponentsGet)
  getComponent(@Payload() req: RequestOf<S['ComponentsGet']>): Promise<ReplyOf<S['ComponentsGet']>> {
    return this.twins.getComponent(req.id, req.component);
  }

  @MessagePattern(Subjects.ComponentsPatch)
  patchComponent(@Payload() req: RequestOf<S['ComponentsPatch']>): Promise<ReplyOf<S['ComponentsPatch']>> {
    return this.twins.patchComponent(req.id, req.component, req.patch, req.ifMatch);
  }

  @MessagePattern(Subjects.TelemetryPublish)
  async publishTelemetry(@Payload() req: RequestOf<S['TelemetryPublish']>): Promise<null> {
    await this.telemetry.publish(req);
    return null;
  }
}
