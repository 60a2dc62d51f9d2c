import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { ModelsService } from './models.service';

type S = typeof Subjects;

/** The models service's internal API (see docs/internal-api.md). */
@InternalApiController()
export class ModelsHandlers {
  constructor(private readonly models: ModelsService) {}

  @MessagePattern(Subjects.ModelsCreate)
  create(@Payload() req: RequestOf<S['ModelsCreate']>): Promise<ReplyOf<S['ModelsCreate']>> {
    return this.models.create(req.models);
  }

  @MessagePattern(Subjects.ModelsList)
  list(@Payload() req: RequestOf<S['ModelsList']>): Promise<ReplyOf<S['ModelsList']>> {
    return this.models.list(req);
  }

  @MessagePattern(Subjects.ModelsGet)
  get(@Payload() req: RequestOf<S['ModelsGet']>): Promise<ReplyOf<S['ModelsGet']>> {
    return this.models.get(req.id, req.includeModelDefinition);
  }

  @MessagePattern(Subjects.ModelsDecommission)
  async decommission(@Payload() req: RequestOf<S['ModelsDecommission']>): Promise<null> {
    await this.models.decommission(req.id, req.patch);
    return null;
  }

  @MessagePattern(Subjects.ModelsDelete)
  async delete(@Payload() req: RequestOf<S['ModelsDelete']>): Promise<null> {
    await this.models.delete(req.id);
    return null;
  }

  @MessagePattern(Subjects.ModelsGetFlattened)
  async flattened(@Payload() req: RequestOf<S['ModelsGetFlattened']>): Promise<ReplyOf<S['ModelsGetFlattened']>> {
    return { models: await this.models.flattened(req.ids) };
  }
}
