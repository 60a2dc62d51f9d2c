import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type ReplyOf, type RequestOf } from '@odt/contracts';
import { InternalApiController } from '@odt/messaging';
import { toDeleteJob, toExportJob, toImportJob } from './job-row';
import { JobsService } from './jobs.service';

type S = typeof Subjects;

/** The jobs service's internal API: ADT's Jobs API and our exports (docs/jobs.md). */
@InternalApiController()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @MessagePattern(Subjects.ImportJobsCreate)
  createImport(@Payload() req: RequestOf<S['ImportJobsCreate']>): Promise<ReplyOf<S['ImportJobsCreate']>> {
    return this.jobs.createImport(req);
  }

  @MessagePattern(Subjects.ImportJobsGet)
  getImport(@Payload() req: RequestOf<S['ImportJobsGet']>): Promise<ReplyOf<S['ImportJobsGet']>> {
    return this.jobs.getImport(req.id);
  }

  @MessagePattern(Subjects.ImportJobsList)
  async listImports(@Payload() req: RequestOf<S['ImportJobsList']>): Promise<ReplyOf<S['ImportJobsList']>> {
    const page = await this.jobs.list('import', req);
    return { value: page.rows.map(toImportJob), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  @MessagePattern(Subjects.ImportJobsDelete)
  async deleteImport(@Payload() req: RequestOf<S['ImportJobsDelete']>): Promise<null> {
    await this.jobs.deleteImport(req.id);
    return null;
  }

  @MessagePattern(Subjects.ImportJobsCancel)
  cancelImport(@Payload() req: RequestOf<S['ImportJobsCancel']>): Promise<ReplyOf<S['ImportJobsCancel']>> {
    return this.jobs.cancelImport(req.id);
  }

  @MessagePattern(Subjects.DeleteJobsCreate)
  createDelete(@Payload() req: RequestOf<S['DeleteJobsCreate']>): Promise<ReplyOf<S['DeleteJobsCreate']>> {
    return this.jobs.createDelete(req);
  }

  @MessagePattern(Subjects.DeleteJobsGet)
  getDelete(@Payload() req: RequestOf<S['DeleteJobsGet']>): Promise<ReplyOf<S['DeleteJobsGet']>> {
    return this.jobs.getDelete(req.id);
  }

  @MessagePattern(Subjects.DeleteJobsList)
  async listDeletes(@Payload() req: RequestOf<S['DeleteJobsList']>): Promise<ReplyOf<S['DeleteJobsList']>> {
    const page = await this.jobs.list('delete', req);
    return { value: page.rows.map(toDeleteJob), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  @MessagePattern(Subjects.JobsLog)
  log(@Payload() req: RequestOf<S['JobsLog']>): Promise<ReplyOf<S['JobsLog']>> {
    return this.jobs.log(req);
  }

  @MessagePattern(Subjects.ExportJobsCreate)
  createExport(@Payload() req: RequestOf<S['ExportJobsCreate']>): Promise<ReplyOf<S['ExportJobsCreate']>> {
    return this.jobs.createExport(req);
  }

  @MessagePattern(Subjects.ExportJobsGet)
  getExport(@Payload() req: RequestOf<S['ExportJobsGet']>): Promise<ReplyOf<S['ExportJobsGet']>> {
    return this.jobs.getExport(req.id);
  }

  @MessagePattern(Subjects.ExportJobsList)
  async listExports(@Payload() req: RequestOf<S['ExportJobsList']>): Promise<ReplyOf<S['ExportJobsList']>> {
    const page = await this.jobs.list('export', req);
    return { value: page.rows.map(toExportJob), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  @MessagePattern(Subjects.ExportJobsOutput)
  exportOutput(@Payload() req: RequestOf<S['ExportJobsOutput']>): Promise<ReplyOf<S['ExportJobsOutput']>> {
    return this.jobs.exportOutput(req.id);
  }
}
