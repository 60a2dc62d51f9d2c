import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { GraphBatchService } from './graph-batch.service';
import { PatchManyService } from './patch-many.service';

type S = typeof Subjects;

/** Batch writes of the twins service (see docs/internal-api.md#batches). */
@InternalApiController()
export class GraphBatchHandlers {
  constructor(
    private readonly batches: GraphBatchService,
    private readonly patches: PatchManyService,
  ) {}

  @MessagePattern(Subjects.GraphBatch)
  batch(@Payload() req: RequestOf<S['GraphBatch']>): Promise<ReplyOf<S['GraphBatch']>> {
    return this.batches.run(req.operations);
  }

  @MessagePattern(Subjects.TwinsDeleteCascade)
  async deleteCascade(@Payload() req: RequestOf<S['TwinsDeleteCascade']>): Promise<ReplyOf<S['TwinsDeleteCascade']>> {
    return { relationshipsDeleted: await this.batches.deleteCascade(req.id, req.ifMatch) };
  }

  @MessagePattern(Subjects.TwinsPatchMany)
  patchMany(@Payload() req: RequestOf<S['TwinsPatchMany']>): Promise<ReplyOf<S['TwinsPatchMany']>> {
    return this.patches.patchMany(req.items);
  }
}
