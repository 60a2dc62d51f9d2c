import type { Command } from 'commander';
import { action, flag, str } from '../command-kit';
import { CliError } from '../errors';
import { jsonArg } from '../input';
import { confirm, Progress } from '../interaction';
import { ignoreMissing, patchArg } from './twins';

const relColumns = {
  RelationshipId: (r: Record<string, unknown>) => r.$relationshipId,
  Source: (r: Record<string, unknown>) => r.$sourceId,
  Name: (r: Record<string, unknown>) => r.$relationshipName,
  Target: (r: Record<string, unknown>) => r.$targetId,
};

export function relationshipCommands(twin: Command): void {
  const rel = twin.command('relationship').description('Relationships between twins.');

  const create = rel.command('create').description('Create (or replace) a relationship.');
  flag(create, '-t, --twin-id <id>', 'The source twin.', { aliases: ['--source'], required: true });
  flag(create, '--target <id>', 'The target twin.', { required: true });
  flag(create, '-r, --relationship-id <id>', 'The relationship id.', { required: true });
  flag(create, '--relationship <name>', 'The relationship name in the source\'s model.', { aliases: ['--kind'], required: true });
  flag(create, '-p, --properties <json|file>', 'Property values.');
  flag(create, '--if-none-match', 'Only create: fail if it exists.', { aliases: ['--inm'] });
  action(create, async (opts, ctx) => {
    const props = opts.properties ? await jsonArg(str(opts.properties), '--properties') : {};
    if (typeof props !== 'object' || props === null || Array.isArray(props)) throw new CliError('--properties must be a JSON object.');
    return ctx.api.relationships.upsert(str(opts.twinId), str(opts.relationshipId), { ...(props as object), $targetId: str(opts.target), $relationshipName: str(opts.relationship) }, opts.ifNoneMatch ? { ifNoneMatch: '*' } : {});
  }, { columns: relColumns });

  const show = rel.command('show').description('Show a relationship.');
  flag(show, '-t, --twin-id <id>', 'The source twin.', { aliases: ['--source'], required: true });
  flag(show, '-r, --relationship-id <id>', 'The relationship id.', { required: true });
  flag(show, '--as-of <time>', 'As it was at this moment (history extension).');
  action(show, async (opts, ctx) => ctx.api.relationships.get(str(opts.twinId), str(opts.relationshipId), opts.asOf ? { asOf: str(opts.asOf) } : {}), { columns: relColumns });

  const list = rel.command('list').description('List a twin\'s relationships (outgoing, or --incoming).');
  flag(list, '-t, --twin-id <id>', 'The twin.', { aliases: ['--source'], required: true });
  flag(list, '--incoming', 'The relationships pointing at the twin.');
  flag(list, '--relationship <name>', 'Only relationships of this name.', { aliases: ['--kind'] });
  flag(list, '--as-of <time>', 'As they were at this moment (outgoing only).');
  action(list, async (opts, ctx) => {
    if (opts.incoming) {
      if (!opts.relationship) return ctx.api.relationships.listIncoming(str(opts.twinId));
      return filterByName(ctx.api.relationships.listIncoming(str(opts.twinId)), str(opts.relationship));
    }
    return ctx.api.relationships.list(str(opts.twinId), { ...(opts.relationship ? { relationshipName: str(opts.relationship) } : {}), ...(opts.asOf ? { asOf: str(opts.asOf) } : {}) });
  }, { columns: relColumns });

  const update = rel.command('update').description('Update a relationship\'s properties with JSON Patch; prints it.');
  flag(update, '-t, --twin-id <id>', 'The source twin.', { aliases: ['--source'], required: true });
  flag(update, '-r, --relationship-id <id>', 'The relationship id.', { required: true });
  flag(update, '--json-patch <json|file>', 'A JSON Patch operation or array.', { aliases: ['--patch'], required: true });
  flag(update, '-e, --etag <etag>', 'Only if it still has this ETag.');
  action(update, async (opts, ctx) => {
    await ctx.api.relationships.update(str(opts.twinId), str(opts.relationshipId), await patchArg(opts.jsonPatch), opts.etag ? { ifMatch: str(opts.etag) } : {});
    return ctx.api.relationships.get(str(opts.twinId), str(opts.relationshipId));
  }, { columns: relColumns });

  const del = rel.command('delete').description('Delete a relationship.');
  flag(del, '-t, --twin-id <id>', 'The source twin.', { aliases: ['--source'], required: true });
  flag(del, '-r, --relationship-id <id>', 'The relationship id.', { required: true });
  flag(del, '-e, --etag <etag>', 'Only if it still has this ETag.');
  action(del, async (opts, ctx) => ctx.api.relationships.delete(str(opts.twinId), str(opts.relationshipId), opts.etag ? { ifMatch: str(opts.etag) } : {}).then(() => undefined));

  const deleteAll = rel.command('delete-all').description('Delete a twin\'s outgoing relationships, or every relationship.');
  flag(deleteAll, '-t, --twin-id <id>', 'Only this twin\'s outgoing relationships.', { aliases: ['--source'] });
  action(deleteAll, async (opts, ctx) => {
    await confirm(ctx, opts.twinId ? `This deletes every relationship of ${str(opts.twinId)}.` : 'This deletes every relationship of the instance.');
    const progress = new Progress(ctx.progress, 'Deleting relationships');
    let n = 0;
    const rows = opts.twinId
      ? ctx.api.relationships.list(str(opts.twinId))
      : ctx.api.query<{ $sourceId: string; $relationshipId: string }>('SELECT R.$sourceId, R.$relationshipId FROM RELATIONSHIPS R');
    for await (const r of rows) {
      await ignoreMissing(ctx.api.relationships.delete(r.$sourceId, r.$relationshipId));
      progress.update(String(++n));
    }
    progress.done(String(n));
  });
}

async function* filterByName<T extends { $relationshipName: string }>(items: AsyncIterable<T>, name: string): AsyncGenerator<T> {
  for await (const item of items) if (item.$relationshipName === name) yield item;
}
