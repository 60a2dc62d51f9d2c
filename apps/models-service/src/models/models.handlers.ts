import { Injectable } from '@nestjs/common';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { RpcHandler } from '@odt/messaging';
import { ModelsService } from './models.service';

type S = typeof Subjects;

/** The models service's internal API (see docs/internal-api.md). */
@Injectable()
export class ModelsHandlers {
  constructor(private readonly models: ModelsService) {}

  @RpcHandler(Subjects.ModelsCreate)
  create(req: RequestOf<S['ModelsCreate']>): Promise<ReplyOf<S['ModelsCreate']>> {
    return this.models.create(req.models);
  }

  @RpcHandler(Subjects.ModelsList)
  list(req: RequestOf<S['ModelsList']>): Promise<ReplyOf<S['ModelsList']>> {
    return this.models.list(req);
  }

  @RpcHandler(Subjects.ModelsGet)
  get(req: RequestOf<S['ModelsGet']>): Promise<ReplyOf<S['ModelsGet']>> {
    return this.models.get(req.id, req.includeModelDefinition);
  }

  @RpcHandler(Subjects.ModelsDecommission)
  async decommission(req: RequestOf<S['ModelsDecommission']>): Promise<null> {
    await this.models.decommission(req.id, req.patch);
    return null;
  }

  @RpcHandler(Subjects.ModelsDelete)
  async delete(req: RequestOf<S['ModelsDelete']>): Promise<null> {
    await this.models.delete(req.id);
    return null;
  }

  @RpcHandler(Subjects.ModelsGetFlattened)
  async flattened(req: RequestOf<S['ModelsGetFlattened']>): Promise<ReplyOf<S['ModelsGetFlattened']>> {
    return { models: await this.models.flattened(req.ids) };
  }
}
