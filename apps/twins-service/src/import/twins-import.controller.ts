import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { TwinsImportService } from './twins-import.service';

type S = typeof Subjects;

/** A batch of an import job's Twins section (docs/jobs.md). */
@InternalApiController()
export class TwinsImportController {
  constructor(private readonly imports: TwinsImportService) {}

  @MessagePattern(Subjects.TwinsImport)
  importBatch(@Payload() req: RequestOf<S['TwinsImport']>): Promise<ReplyOf<S['TwinsImport']>> {
    return this.imports.importBatch(req);
  }
}
