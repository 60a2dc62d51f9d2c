import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { RelationshipsImportService } from './relationships-import.service';

type S = typeof Subjects;

/** A batch of an import job's Relationships section (docs/jobs.md). */
@InternalApiController()
export class RelationshipsImportController {
  constructor(private readonly imports: RelationshipsImportService) {}

  @MessagePattern(Subjects.RelationshipsImport)
  importBatch(@Payload() req: RequestOf<S['RelationshipsImport']>): Promise<ReplyOf<S['RelationshipsImport']>> {
    return this.imports.importBatch(req);
  }
}
