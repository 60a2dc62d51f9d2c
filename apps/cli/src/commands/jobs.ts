import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { action, flag, int, str, type Opts } from '../command-kit';
import type { Context } from '../context';
import { CliError, ExitCode } from '../errors';
import { confirm, note, Progress } from '../interaction';
import { emit } from '../output';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Polls a job until it ends; a failed or cancelled one exits with ExitCode.JobFailed. */
async function watch<T extends { status: string }>(ctx: Context, label: string, get: () => Promise<T>): Promise<T> {
  const progress = new Progress(ctx.progress, label);
  for (;;) {
    const job = await get();
    progress.update(job.status);
    if (TERMINAL.has(job.status)) {
      progress.done(job.status);
      if (job.status !== 'succeeded') {
        await emit(job, { format: ctx.output, ...(ctx.query ? { query: ctx.query } : {}), columns: jobColumns });
        throw new CliError(`The job ended ${job.status}.`, ExitCode.JobFailed);
      }
      return job;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const jobColumns = {
  Id: (j: Record<string, unknown>) => j.id,
  Status: (j: Record<string, unknown>) => j.status,
  Created: (j: Record<string, unknown>) => j.createdDateTime,
  Finished: (j: Record<string, unknown>) => j.finishedDateTime,
};

function jobId(opts: Opts, prefix: string): string {
  return opts.jobId ? str(opts.jobId) : `${prefix}-${randomUUID()}`;
}

export function jobCommands(dt: Command): void {
  const job = dt.command('job').description('Bulk jobs: import, delete everything, export.');

  const imports = job.command('import').description('Import jobs: models, twins and relationships from an NDJSON file.');
  const icreate = imports.command('create').description('Start an import: upload a local file (--file) or name one the server can read (--data-file).');
  flag(icreate, '--file <path>', 'A local NDJSON file (.ndjson or .ndjson.gz), streamed to the server.');
  flag(icreate, '--data-file <uri>', 'A URI the server reads: file:///name (its jobs directory) or http(s)://.', { aliases: ['--df'] });
  flag(icreate, '--output-file <uri>', 'Where the server writes the log (default: kept with the job).', { aliases: ['--of'] });
  flag(icreate, '-j, --job-id <id>', 'The job id (default import-job-<uuid>).');
  flag(icreate, '--watch', 'Wait until the job ends, showing its status.');
  action(icreate, async (opts, ctx) => {
    if (!opts.file === !opts.dataFile) throw new CliError('Give either --file or --data-file.');
    const id = jobId(opts, 'import-job');
    let created;
    if (opts.file) {
      const file = str(opts.file);
      if (!existsSync(file)) throw new CliError(`--file: no such file ${file}.`);
      const size = statSync(file).size;
      const progress = new Progress(ctx.progress, `Uploading ${file}`);
      let sent = 0;
      const counting = new Transform({ transform(chunk: Buffer, _e, cb) { sent += chunk.length; progress.update(`${Math.round((sent / Math.max(size, 1)) * 100)}%`); cb(null, chunk); } });
      const body = Readable.toWeb(createReadStream(file).pipe(counting)) as unknown as ReadableStream<Uint8Array>;
      created = await ctx.api.jobs.imports.upload(id, body, { gzip: /\.gz$/i.test(file) });
      progress.done('uploaded');
    } else {
      created = await ctx.api.jobs.imports.create(id, { inputBlobUri: str(opts.dataFile), ...(opts.outputFile ? { outputBlobUri: str(opts.outputFile) } : {}) });
    }
    return opts.watch ? watch(ctx, `Import ${id}`, () => ctx.api.jobs.imports.get(id)) : created;
  }, { columns: jobColumns });
  const ishow = imports.command('show').description('Show an import job.');
  flag(ishow, '-j, --job-id <id>', 'The job id.', { required: true });
  action(ishow, async (opts, ctx) => ctx.api.jobs.imports.get(str(opts.jobId)), { columns: jobColumns });
  action(imports.command('list').description('List import jobs.'), async (_opts, ctx) => ctx.api.jobs.imports.list(), { columns: jobColumns });
  const ilog = imports.command('output').description('The job\'s log (NDJSON lines), streamed.');
  flag(ilog, '-j, --job-id <id>', 'The job id.', { required: true });
  action(ilog, async (opts, ctx) => ctx.api.jobs.imports.output(str(opts.jobId)));
  const idel = imports.command('delete').description('Forget an import job (does not undo it).');
  flag(idel, '-j, --job-id <id>', 'The job id.', { required: true });
  action(idel, async (opts, ctx) => {
    await confirm(ctx, `This forgets import job ${str(opts.jobId)}.`);
    await ctx.api.jobs.imports.delete(str(opts.jobId));
  });
  const icancel = imports.command('cancel').description('Cancel an import job (what is imported stays).');
  flag(icancel, '-j, --job-id <id>', 'The job id.', { required: true });
  action(icancel, async (opts, ctx) => {
    await confirm(ctx, `This cancels import job ${str(opts.jobId)}.`);
    return ctx.api.jobs.imports.cancel(str(opts.jobId));
  }, { columns: jobColumns });

  const deletion = job.command('deletion').description('Delete jobs: every model, twin and relationship, in one transaction.');
  const dcreate = deletion.command('create').description('Delete everything (routes and endpoints stay).');
  flag(dcreate, '-j, --job-id <id>', 'The job (operation) id.');
  flag(dcreate, '-t, --timeout <minutes>', 'Give up after this many minutes (15-1440).');
  flag(dcreate, '--watch', 'Wait until the job ends.');
  action(dcreate, async (opts, ctx) => {
    await confirm(ctx, 'This deletes every model, twin and relationship of the instance.');
    const timeout = int(opts.timeout, '--timeout');
    const created = await ctx.api.jobs.deletions.create({ ...(opts.jobId ? { operationId: str(opts.jobId) } : {}), ...(timeout !== undefined ? { timeoutInMinutes: timeout } : {}) });
    return opts.watch ? watch(ctx, `Deletion ${created.id}`, () => ctx.api.jobs.deletions.get(created.id)) : created;
  }, { columns: jobColumns });
  const dshow = deletion.command('show').description('Show a delete job.');
  flag(dshow, '-j, --job-id <id>', 'The job id.', { required: true });
  action(dshow, async (opts, ctx) => ctx.api.jobs.deletions.get(str(opts.jobId)), { columns: jobColumns });
  action(deletion.command('list').description('List delete jobs.'), async (_opts, ctx) => ctx.api.jobs.deletions.list(), { columns: jobColumns });

  const exp = job.command('export').description('Export jobs (extension): the graph in the import file\'s format.');
  const ecreate = exp.command('create').description('Export the graph, or the twins a query selects with their relationships.');
  flag(ecreate, '-j, --job-id <id>', 'The job id (default export-job-<uuid>).');
  flag(ecreate, '-q, --query-command <query>', 'Only the twins this query selects.');
  flag(ecreate, '--output-file <path>', 'Write the exported NDJSON here when the job has finished (implies --watch).', { aliases: ['--of'] });
  flag(ecreate, '--watch', 'Wait until the job ends.');
  action(ecreate, async (opts, ctx) => {
    const id = jobId(opts, 'export-job');
    const created = await ctx.api.jobs.exports.create(id, opts.queryCommand ? { query: str(opts.queryCommand) } : {});
    if (!opts.watch && !opts.outputFile) return created;
    const done = await watch(ctx, `Export ${id}`, () => ctx.api.jobs.exports.get(id));
    if (opts.outputFile) {
      await pipeline(Readable.fromWeb((await ctx.api.jobs.exports.download(id)) as never), createWriteStream(str(opts.outputFile)));
      note(`Wrote ${str(opts.outputFile)}.`);
    }
    return done;
  }, { columns: jobColumns });
  const eshow = exp.command('show').description('Show an export job.');
  flag(eshow, '-j, --job-id <id>', 'The job id.', { required: true });
  action(eshow, async (opts, ctx) => ctx.api.jobs.exports.get(str(opts.jobId)), { columns: jobColumns });
  action(exp.command('list').description('List export jobs.'), async (_opts, ctx) => ctx.api.jobs.exports.list(), { columns: jobColumns });
  const eout = exp.command('output').description('The exported file, streamed (NDJSON lines).');
  flag(eout, '-j, --job-id <id>', 'The job id.', { required: true });
  action(eout, async (opts, ctx) => ctx.api.jobs.exports.output(str(opts.jobId)));
}
