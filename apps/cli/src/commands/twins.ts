import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiError, type JsonPatchOperation } from '@odt/client';
import { action, flag, int, str, type Opts } from '../command-kit';
import type { Context } from '../context';
import { CliError } from '../errors';
import { jsonArg, readStdin } from '../input';
import { confirm, note, Progress } from '../interaction';
import { relationshipCommands } from './relationships';

/** az accepts a patch as one operation or an array of them. */
export async function patchArg(value: unknown): Promise<JsonPatchOperation[]> {
  const patch = await jsonArg(str(value), '--json-patch');
  const ops = Array.isArray(patch) ? patch : [patch];
  if (ops.some((op) => typeof op !== 'object' || op === null || typeof (op as { op?: unknown }).op !== 'string')) {
    throw new CliError('--json-patch must be a JSON Patch operation or an array of them ({"op":"replace","path":"/x","value":1}).');
  }
  return ops as JsonPatchOperation[];
}

/** The query text: `-q`, `--query-file`, or stdin, so `$dtId` needs no shell quoting. */
async function queryText(opts: Opts): Promise<string> {
  if (opts.queryCommand !== undefined && opts.queryCommand !== '-') return str(opts.queryCommand);
  if (opts.queryFile === '-') return readStdin();
  if (opts.queryFile !== undefined) {
    const file = str(opts.queryFile);
    if (!existsSync(file)) throw new CliError(`--query-file: no such file ${file}.`);
    return readFileSync(file, 'utf8');
  }
  if (opts.queryCommand === '-' || !process.stdin.isTTY) {
    const text = await readStdin();
    if (text.trim()) return text;
  }
  throw new CliError('Give the query with -q, --query-file, or on stdin.');
}

async function* queryRows(ctx: Context, query: string, opts: Opts): AsyncGenerator<unknown> {
  let cost = 0;
  let rows = 0;
  const max = int(opts.maxItems, '--max-items');
  const progress = new Progress(ctx.progress && ctx.output !== 'table', 'Rows');
  outer: for await (const page of ctx.api.query(query, { ...(opts.asOf ? { asOf: str(opts.asOf) } : {}) }).byPage()) {
    cost += page.charge ?? 0;
    for (const row of page.value) {
      if (max !== undefined && rows >= max) break outer;
      rows++;
      yield row;
    }
    progress.update(String(rows));
  }
  progress.done();
  if (opts.showCost) note(`Query charge: ${cost}`);
}

export function twinCommands(dt: Command): void {
  const twin = dt.command('twin').description('Digital twins, their components, relationships, telemetry, queries and history.');

  const create = twin.command('create').description('Create (or replace) a twin.');
  flag(create, '-m, --dtmi <id>', 'The model of the twin.', { required: true });
  flag(create, '-t, --twin-id <id>', 'The twin id.', { required: true });
  flag(create, '-p, --properties <json|file>', 'Initial property values (inline JSON, a file, or -).');
  flag(create, '--if-none-match', 'Only create: fail if the twin exists.', { aliases: ['--inm'] });
  action(create, async (opts, ctx) => {
    const props = opts.properties ? await jsonArg(str(opts.properties), '--properties') : {};
    if (typeof props !== 'object' || props === null || Array.isArray(props)) throw new CliError('--properties must be a JSON object.');
    const body = { ...(props as Record<string, unknown>) };
    body.$metadata = { ...((body.$metadata as object | undefined) ?? {}), $model: str(opts.dtmi) };
    return ctx.api.twins.upsert(str(opts.twinId), body, opts.ifNoneMatch ? { ifNoneMatch: '*' } : {});
  });

  const show = twin.command('show').description('Show a twin (as it is, or as it was with --as-of).');
  flag(show, '-t, --twin-id <id>', 'The twin id.', { required: true });
  flag(show, '--as-of <time>', 'An ISO 8601 moment: the twin as it was then (history extension).');
  action(show, async (opts, ctx) => ctx.api.twins.get(str(opts.twinId), opts.asOf ? { asOf: str(opts.asOf) } : {}));

  const update = twin.command('update').description('Update a twin with JSON Patch; prints the updated twin.');
  flag(update, '-t, --twin-id <id>', 'The twin id.', { required: true });
  flag(update, '--json-patch <json|file>', 'A JSON Patch operation or array (inline JSON, a file, or -).', { aliases: ['--patch'], required: true });
  flag(update, '-e, --etag <etag>', 'Only if the twin still has this ETag (default: any).');
  action(update, async (opts, ctx) => {
    const id = str(opts.twinId);
    await ctx.api.twins.update(id, await patchArg(opts.jsonPatch), opts.etag ? { ifMatch: str(opts.etag) } : {});
    return ctx.api.twins.get(id);
  });

  const del = twin.command('delete').description('Delete a twin (with --cascade, with all its relationships, in one transaction).');
  flag(del, '-t, --twin-id <id>', 'The twin id.', { required: true });
  flag(del, '-e, --etag <etag>', 'Only if the twin still has this ETag.');
  flag(del, '--cascade', 'Also delete its outgoing and incoming relationships (extension).');
  action(del, async (opts, ctx) => {
    await ctx.api.twins.delete(str(opts.twinId), { ...(opts.etag ? { ifMatch: str(opts.etag) } : {}), ...(opts.cascade ? { cascade: true } : {}) });
  });

  const deleteAll = twin.command('delete-all').description('Delete every twin and relationship.');
  action(deleteAll, async (_opts, ctx) => {
    await confirm(ctx, 'This deletes every twin and relationship of the instance.');
    const progress = new Progress(ctx.progress, 'Deleting');
    let rels = 0;
    let twins = 0;
    // Relationships first (a twin with relationships cannot be deleted), streamed from a query.
    for await (const row of ctx.api.query<{ $sourceId: string; $relationshipId: string }>('SELECT R.$sourceId, R.$relationshipId FROM RELATIONSHIPS R')) {
      await ignoreMissing(ctx.api.relationships.delete(row.$sourceId, row.$relationshipId));
      progress.update(`${++rels} relationships`);
    }
    for await (const row of ctx.api.query<{ $dtId: string }>('SELECT T.$dtId FROM DIGITALTWINS T')) {
      await ignoreMissing(ctx.api.twins.delete(row.$dtId));
      progress.update(`${rels} relationships, ${++twins} twins`);
    }
    progress.done(`${rels} relationships, ${twins} twins`);
  });

  const query = twin.command('query').description('Run a query; rows stream page by page (-o jsonl never holds the result).');
  flag(query, '-q, --query-command <query>', 'The query (or - for stdin; see also --query-file).');
  flag(query, '--query-file <file>', 'Read the query from a file (or - for stdin): no shell quoting of $.');
  flag(query, '--show-cost', 'Print the total query charge on stderr.', { aliases: ['--cost'] });
  flag(query, '--as-of <time>', 'Run the query on the graph as it was at this moment (history extension).');
  flag(query, '--max-items <n>', 'Stop after this many rows.');
  action(query, async (opts, ctx) => queryRows(ctx, await queryText(opts), opts));

  const history = twin.command('history').description('A twin\'s property values over time (history extension).');
  flag(history, '-t, --twin-id <id>', 'The twin id.', { required: true });
  flag(history, '--property <name>', 'A property (`temperature`) or a component\'s (`thermostat/setPoint`); all when absent.');
  flag(history, '--from <time>', 'From this moment (ISO 8601).');
  flag(history, '--to <time>', 'Up to this moment.');
  flag(history, '--last-n <n>', 'The last n values, newest first.');
  flag(history, '--aggregate <fn>', 'Bucket the values.', { choices: ['avg', 'min', 'max', 'count', 'first', 'last'] });
  flag(history, '--interval <duration>', 'ISO 8601 duration of the buckets (PT5M).');
  action(history, async (opts, ctx) => ctx.api.twins.history(str(opts.twinId), {
    ...(opts.property ? { property: str(opts.property) } : {}),
    ...(opts.from ? { from: str(opts.from) } : {}),
    ...(opts.to ? { to: str(opts.to) } : {}),
    ...(opts.lastN ? { lastN: int(opts.lastN, '--last-n') } : {}),
    ...(opts.aggregate ? { aggregate: str(opts.aggregate) } : {}),
    ...(opts.interval ? { interval: str(opts.interval) } : {}),
  }));

  const component = twin.command('component').description('A twin\'s components.');
  const cshow = component.command('show').description('Show a component.');
  flag(cshow, '-t, --twin-id <id>', 'The twin id.', { required: true });
  flag(cshow, '--component <path>', 'The component name.', { required: true });
  action(cshow, async (opts, ctx) => ctx.api.twins.getComponent(str(opts.twinId), str(opts.component)));
  const cupdate = component.command('update').description('Update a component with JSON Patch (paths relative to it).');
  flag(cupdate, '-t, --twin-id <id>', 'The twin id.', { required: true });
  flag(cupdate, '--component <path>', 'The component name.', { required: true });
  flag(cupdate, '--json-patch <json|file>', 'A JSON Patch operation or array.', { aliases: ['--patch'], required: true });
  flag(cupdate, '-e, --etag <etag>', 'Only if the twin still has this ETag.');
  action(cupdate, async (opts, ctx) => {
    await ctx.api.twins.updateComponent(str(opts.twinId), str(opts.component), await patchArg(opts.jsonPatch), opts.etag ? { ifMatch: str(opts.etag) } : {});
    return ctx.api.twins.getComponent(str(opts.twinId), str(opts.component));
  });

  const telemetry = twin.command('telemetry').description('Telemetry on behalf of a twin.');
  const send = telemetry.command('send').description('Send telemetry (to the event routes; not stored on the twin).');
  flag(send, '-t, --twin-id <id>', 'The twin id.', { required: true });
  flag(send, '--dt-id <id>', 'The message id (default: a new UUID).');
  flag(send, '--component <path>', 'Send on behalf of this component.');
  flag(send, '--telemetry <json|file>', 'The telemetry (default {}).');
  flag(send, '--telemetry-source-time <time>', 'When the reading was taken (ISO 8601).', { aliases: ['--tst'] });
  action(send, async (opts, ctx) => {
    const payload = opts.telemetry ? await jsonArg(str(opts.telemetry), '--telemetry') : {};
    await ctx.api.twins.sendTelemetry(str(opts.twinId), payload, {
      ...(opts.dtId ? { messageId: str(opts.dtId) } : {}),
      ...(opts.component ? { component: str(opts.component) } : {}),
      ...(opts.telemetrySourceTime ? { sourceTime: str(opts.telemetrySourceTime) } : {}),
    });
  });

  relationshipCommands(twin);
}

export async function ignoreMissing(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
}
