import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { ModelsImportService } from './models-import.service';

type S = typeof Subjects;

/** An import job's Models section, as one upload (docs/jobs.md). */
@InternalApiController()
export class ModelsImportController {
  constructor(private readonly imports: ModelsImportService) {}

  @MessagePattern(Subjects.ModelsImport)
  importBatch(@Payload() req: RequestOf<S['ModelsImport']>): Promise<ReplyOf<S['ModelsImport']>> {
    return this.imports.importBatch(req);
  }
}
