import type { Command } from 'commander';
import { ApiError, type ModelData } from '@odt/client';
import { action, flag, str } from '../command-kit';
import { CliError } from '../errors';
import { jsonArg, modelsFromDirectory } from '../input';
import { confirm, note, Progress } from '../interaction';

const modelColumns = {
  ModelId: (m: Record<string, unknown>) => m.id,
  UploadTime: (m: Record<string, unknown>) => m.uploadTime,
  Decommissioned: (m: Record<string, unknown>) => m.decommissioned,
};

export function modelCommands(dt: Command): void {
  const model = dt.command('model').description('DTDL models: upload, list, show, decommission, delete.');

  const create = model.command('create').description('Upload models: inline JSON, a file, or a whole directory, in one call (no batches).');
  flag(create, '--models <json|file>', 'A model or an array of models: inline JSON, a file, or - for stdin.');
  flag(create, '--from-directory <dir>', 'Every .json and .dtdl file under this directory (recursively).', { aliases: ['--fd'] });
  flag(create, '--failure-policy <policy>', 'Accepted for az compatibility; the upload is one all-or-nothing call.', { aliases: ['--fp'], choices: ['Rollback', 'None'] });
  action(create, async (opts, ctx) => {
    if (!opts.models === !opts.fromDirectory) throw new CliError('Give either --models or --from-directory.');
    let models: unknown[];
    if (opts.fromDirectory) {
      const found = modelsFromDirectory(str(opts.fromDirectory));
      models = found.models;
      if (ctx.progress) note(`Uploading ${models.length} models from ${found.files} files in one call...`);
    } else {
      const value = await jsonArg(str(opts.models), '--models');
      models = Array.isArray(value) ? value : [value];
    }
    return ctx.api.models.create(models);
  }, { columns: modelColumns });

  const show = model.command('show').description('Show a model.');
  flag(show, '-m, --dtmi <id>', 'The model id (DTMI).', { required: true });
  flag(show, '--definition', 'Include the DTDL definition.', { aliases: ['--def'] });
  action(show, async (opts, ctx) => ctx.api.models.get(str(opts.dtmi), { includeModelDefinition: opts.definition === true }), { columns: modelColumns });

  const list = model.command('list').description('List models (streamed page by page).');
  flag(list, '--definition', 'Include each model\'s DTDL definition.', { aliases: ['--def'] });
  flag(list, '--dependencies-for <ids...>', 'Only these models and the models they depend on.', { aliases: ['--dep'] });
  action(list, async (opts, ctx) => ctx.api.models.list({ includeModelDefinition: opts.definition === true, ...(opts.dependenciesFor ? { dependenciesFor: opts.dependenciesFor as string[] } : {}) }), { columns: modelColumns });

  const update = model.command('update').description('Decommission a model (the only change a model allows).');
  flag(update, '-m, --dtmi <id>', 'The model id.', { required: true });
  flag(update, '--decommission', 'Decommission the model: no new twins of it.', { required: true });
  action(update, async (opts, ctx) => {
    await ctx.api.models.decommission(str(opts.dtmi));
    return ctx.api.models.get(str(opts.dtmi));
  }, { columns: modelColumns });

  const del = model.command('delete').description('Delete a model.');
  flag(del, '-m, --dtmi <id>', 'The model id.', { required: true });
  action(del, async (opts, ctx) => { await ctx.api.models.delete(str(opts.dtmi)); });

  const deleteAll = model.command('delete-all').description('Delete every model, the ones others depend on last.');
  action(deleteAll, async (_opts, ctx) => {
    await confirm(ctx, 'This deletes every model of the instance.');
    const models = await ctx.api.models.list({ includeModelDefinition: true }).toArray();
    const progress = new Progress(ctx.progress, 'Deleting models');
    const deleted = await deleteInOrder(models, (id) => ctx.api.models.delete(id), (n) => progress.update(`${n}/${models.length}`));
    progress.done(`${deleted}/${models.length}`);
    if (deleted < models.length) throw new CliError(`${models.length - deleted} models could not be deleted (twins or other models still use them).`, 6);
  });
}

/** Deletes the models no remaining model refers to, round after round (ADT refuses a model others extend or use). */
async function deleteInOrder(models: ModelData[], remove: (id: string) => Promise<void>, tick: (n: number) => void): Promise<number> {
  const remaining = new Map(models.map((m) => [m.id, JSON.stringify(m.model ?? {})]));
  let deleted = 0;
  for (;;) {
    const referenced = (id: string) => [...remaining].some(([other, text]) => other !== id && text.includes(`"${id}"`));
    const round = [...remaining.keys()].filter((id) => !referenced(id));
    const batch = round.length > 0 ? round : [...remaining.keys()];
    let progressed = false;
    for (const id of batch) {
      try {
        await remove(id);
        progressed = true;
      } catch (err) {
        if (!(err instanceof ApiError) || err.status === 404) {
          if (err instanceof ApiError) { progressed = true; remaining.delete(id); continue; }
          throw err;
        }
        if (round.length === 0) note(`${id}: ${err.code}: ${err.message}`);
        continue;
      }
      remaining.delete(id);
      tick(++deleted);
    }
    if (remaining.size === 0 || !progressed) return deleted;
  }
}
