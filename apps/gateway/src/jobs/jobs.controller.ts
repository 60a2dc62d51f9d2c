import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { DomainError, Subjects, type DeleteJob, type ExportJob, type ImportJob } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Requires } from '../auth/data-actions';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { nextLink, pageSize, single } from '../http/request-context';

const NDJSON = /^application\/(x-)?ndjson\b/i;

/** ADT's Jobs API (endpoints 25–32, api-version 2023-10-31), and our exports. See docs/jobs.md. */
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly services: InternalClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('imports')
  @Requires('jobs/read')
  async listImports(@Headers('max-items-per-page') maxItems: string | undefined, @Query('continuationToken') token: unknown, @Req() req: FastifyRequest): Promise<{ value: ImportJob[]; nextLink: string | null }> {
    const page = await this.services.request(Subjects.ImportJobsList, { maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE), cursor: single(token) });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  /**
   * Creates an import job from `{inputBlobUri, outputBlobUri}`, or (extension) from the file itself
   * as the body (`Content-Type: application/x-ndjson`, optionally gzip), streamed to the jobs
   * storage directory, never held in memory.
   */
  @Put('imports/:id')
  @Requires('jobs/write')
  @HttpCode(201)
  async createImport(@Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest): Promise<ImportJob> {
    if (!NDJSON.test(req.headers['content-type'] ?? '')) {
      const spec = (body ?? {}) as Record<string, unknown>;
      if (typeof spec !== 'object' || Array.isArray(spec)) throw new DomainError('ValidationFailed', 'The body must be {"inputBlobUri", "outputBlobUri"}, or the import file itself with Content-Type: application/x-ndjson.');
      return this.services.request(Subjects.ImportJobsCreate, { id, inputBlobUri: spec.inputBlobUri, outputBlobUri: spec.outputBlobUri });
    }
    // Refused before the upload when the id is taken.
    const existing = await this.services.request(Subjects.ImportJobsGet, { id }).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 'ImportJobNotFound') return undefined;
      throw err;
    });
    if (existing) throw new DomainError('ValidationFailed', `An import job with the id ${id} already exists. Delete it first or use another id.`);
    const name = `uploads/${encodeURIComponent(id).replace(/%/g, '_')}-${randomBytes(6).toString('hex')}`;
    const file = await this.receive(body as Readable, `${name}.ndjson`);
    try {
      return await this.services.request(Subjects.ImportJobsCreate, { id, inputBlobUri: `file:///${name}.ndjson`, outputBlobUri: `file:///${name}.output.ndjson` });
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }

  @Get('imports/:id')
  @Requires('jobs/read')
  getImport(@Param('id') id: string): Promise<ImportJob> {
    return this.services.request(Subjects.ImportJobsGet, { id });
  }

  @Delete('imports/:id')
  @Requires('jobs/delete')
  @HttpCode(204)
  async deleteImport(@Param('id') id: string): Promise<void> {
    await this.services.request(Subjects.ImportJobsDelete, { id });
  }

  @Post('imports/:id/cancel')
  @Requires('jobs/write')
  @HttpCode(200)
  cancelImport(@Param('id') id: string): Promise<ImportJob> {
    return this.services.request(Subjects.ImportJobsCancel, { id });
  }

  /** The job's log (ADT's output blob), as NDJSON, whatever its outputBlobUri says. */
  @Get('imports/:id/output')
  @Requires('jobs/read')
  async importOutput(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const first = await this.services.request(Subjects.JobsLog, { kind: 'import', id, limit: 1000 });
    const services = this.services;
    async function* lines() {
      let page = first;
      for (;;) {
        if (page.lines.length > 0) yield page.lines.join('\n') + '\n';
        if (page.lines.length === 0 || page.next === undefined) return;
        page = await services.request(Subjects.JobsLog, { kind: 'import', id, after: page.next, limit: 1000 });
        if (page.lines.length === 0) return;
      }
    }
    await reply.header('content-type', 'application/x-ndjson').send(toStream(lines()));
  }

  /** ADT's delete job (LRO): `202` with `Operation-Location` and `Operation-Id`. */
  @Post('deletions')
  @Requires('jobs/delete')
  async createDelete(
    @Headers('operation-id') operationId: string | undefined,
    @Query('timeoutInMinutes') timeoutParam: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const timeout = single(timeoutParam);
    if (timeout !== undefined && !/^\d{1,9}$/.test(timeout)) throw new DomainError('ValidationFailed', 'timeoutInMinutes must be an integer.');
    const job = await this.services.request(Subjects.DeleteJobsCreate, { ...(operationId ? { id: operationId } : {}), ...(timeout !== undefined ? { timeoutInMinutes: Number(timeout) } : {}) });
    const location = new URL(`/jobs/deletions/${encodeURIComponent(job.id)}`, `${req.protocol}://${req.host}`);
    location.searchParams.set('api-version', single((req.query as Record<string, unknown>)['api-version']) ?? '2023-10-31');
    await reply.status(202).header('operation-location', location.toString()).header('operation-id', job.id).send(job);
  }

  @Get('deletions')
  @Requires('jobs/read')
  async listDeletes(@Headers('max-items-per-page') maxItems: string | undefined, @Query('continuationToken') token: unknown, @Req() req: FastifyRequest): Promise<{ value: DeleteJob[]; nextLink: string | null }> {
    const page = await this.services.request(Subjects.DeleteJobsList, { maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE), cursor: single(token) });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get('deletions/:id')
  @Requires('jobs/read')
  getDelete(@Param('id') id: string): Promise<DeleteJob> {
    return this.services.request(Subjects.DeleteJobsGet, { id });
  }

  /** Extension: exports the graph (or the twins `query` selects and the relationships among them) as an import file. */
  @Put('exports/:id')
  @Requires('jobs/write')
  @HttpCode(201)
  createExport(@Param('id') id: string, @Body() body: unknown): Promise<ExportJob> {
    const query = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).query : undefined;
    return this.services.request(Subjects.ExportJobsCreate, { id, ...(query !== undefined ? { query } : {}) });
  }

  @Get('exports')
  @Requires('jobs/read')
  async listExports(@Headers('max-items-per-page') maxItems: string | undefined, @Query('continuationToken') token: unknown, @Req() req: FastifyRequest): Promise<{ value: ExportJob[]; nextLink: string | null }> {
    const page = await this.services.request(Subjects.ExportJobsList, { maxItemsPerPage: pageSize(maxItems, this.config.DEFAULT_PAGE_SIZE), cursor: single(token) });
    return { value: page.value, nextLink: page.nextCursor ? nextLink(req, page.nextCursor) : null };
  }

  @Get('exports/:id')
  @Requires('jobs/read')
  getExport(@Param('id') id: string): Promise<ExportJob> {
    return this.services.request(Subjects.ExportJobsGet, { id });
  }

  @Get('exports/:id/output')
  @Requires('jobs/read')
  async exportOutput(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const { path: relative } = await this.services.request(Subjects.ExportJobsOutput, { id });
    const root = await realpath(this.config.JOBS_STORAGE_DIR);
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep)) throw new DomainError('InternalServerError', 'The export is not in the jobs storage directory.');
    await reply.header('content-type', 'application/x-ndjson').send(createReadStream(file));
  }

  /** Streams the upload into the storage directory, at most JOBS_UPLOAD_MAX_BYTES. */
  private async receive(body: Readable, relative: string): Promise<string> {
    if (!body || typeof body.pipe !== 'function') throw new DomainError('ValidationFailed', 'The import file is missing.');
    await mkdir(path.join(this.config.JOBS_STORAGE_DIR, 'uploads'), { recursive: true });
    const file = path.join(this.config.JOBS_STORAGE_DIR, relative);
    const max = this.config.JOBS_UPLOAD_MAX_BYTES;
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        done(received > max ? new DomainError('PayloadTooLarge', `An import file is limited to ${max} bytes.`) : null, chunk);
      },
    });
    try {
      await pipeline(body, limit, createWriteStream(file));
    } catch (err) {
      await rm(file, { force: true });
      throw err instanceof DomainError ? err : new DomainError('InvalidArgument', `The upload did not complete: ${(err as Error).message}`);
    }
    if (received === 0) {
      await rm(file, { force: true });
      throw new DomainError('ValidationFailed', 'The import file is empty.');
    }
    return file;
  }
}

function toStream(source: AsyncGenerator<string>): Readable {
  return Readable.from(source);
}
