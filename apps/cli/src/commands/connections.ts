import type { Command } from 'commander';
import type { BatchOperation, Connection, ConnectionTestMessage } from '@odt/client';
import { action, flag, str } from '../command-kit';
import { CliError } from '../errors';
import { jsonArg, textArg } from '../input';

const connectionColumns = {
  Name: (c: Record<string, unknown>) => c.name,
  Source: (c: Record<string, unknown>) => (c.source as { type?: string } | undefined)?.type,
};

export function connectionCommands(dt: Command): void {
  const connection = dt.command('connection').description('Connections (extension): feed twins from MQTT, AMQP, NATS or HTTP messages.');
  const create = connection.command('create').description('Create (or replace) a connection.');
  flag(create, '--name <name>', 'The connection name.', { required: true });
  flag(create, '--source <json|file>', 'The source: {"type":"mqtt","url","topic"}, {"type":"amqp","url","queue"}, {"type":"nats","subject"} or {"type":"http"}.');
  flag(create, '--mapping <jsonata|@file>', 'The JSONata mapping from a message to operations (text, @file or -).');
  flag(create, '-p, --properties <json|file>', 'The whole connection as JSON, instead of --source and --mapping.');
  action(create, async (opts, ctx) => {
    let body: Connection;
    if (opts.properties) body = (await jsonArg(str(opts.properties), '--properties')) as Connection;
    else {
      if (!opts.source || !opts.mapping) throw new CliError('Give --source and --mapping (or the whole connection with --properties).');
      body = { source: (await jsonArg(str(opts.source), '--source')) as Connection['source'], mapping: await textArg(str(opts.mapping), '--mapping') };
    }
    return ctx.api.connections.upsert(str(opts.name), body);
  }, { columns: connectionColumns });
  const show = connection.command('show').description('Show a connection (secrets are never shown).');
  flag(show, '--name <name>', 'The connection name.', { required: true });
  action(show, async (opts, ctx) => ctx.api.connections.get(str(opts.name)), { columns: connectionColumns });
  action(connection.command('list').description('List connections.'), async (_opts, ctx) => ctx.api.connections.list(), { columns: connectionColumns });
  const del = connection.command('delete').description('Delete a connection.');
  flag(del, '--name <name>', 'The connection name.', { required: true });
  action(del, async (opts, ctx) => { await ctx.api.connections.delete(str(opts.name)); });
  const test = connection.command('test').description('Run the mapping on a sample message; shows the operations, applies nothing.');
  flag(test, '--name <name>', 'The connection name.', { required: true });
  flag(test, '--message <json|file>', 'The sample message: {"payload": ..., "topic"?: "...", "headers"?: {...}}.', { required: true });
  flag(test, '--mapping <jsonata|@file>', 'Try this mapping instead of the saved one (text, @file or -).');
  action(test, async (opts, ctx) => {
    const message = await jsonArg(str(opts.message), '--message');
    if (typeof message !== 'object' || message === null || Array.isArray(message) || !('payload' in message)) {
      throw new CliError('--message must be a sample message {"payload": ..., "topic"?: "...", "headers"?: {...}}.');
    }
    const sample = { ...(message as ConnectionTestMessage), ...(opts.mapping ? { mapping: await textArg(str(opts.mapping), '--mapping') } : {}) };
    return ctx.api.connections.test(str(opts.name), sample);
  });
  const send = connection.command('send').description('Send messages to an http connection (one payload, or an array of them).');
  flag(send, '--name <name>', 'The connection name.', { required: true });
  flag(send, '--message <json|file>', 'The message payload(s).', { required: true });
  action(send, async (opts, ctx) => ctx.api.connections.sendMessages(str(opts.name), await jsonArg(str(opts.message), '--message')));
  const dl = connection.command('deadletter').description('Messages a connection could not apply.');
  const dlist = dl.command('list').description('List them.');
  flag(dlist, '--name <name>', 'The connection name.', { required: true });
  action(dlist, async (opts, ctx) => ctx.api.connections.deadLetters(str(opts.name)));
  const replay = dl.command('replay').description('Apply them again.');
  flag(replay, '--name <name>', 'The connection name.', { required: true });
  action(replay, async (opts, ctx) => ctx.api.connections.replayDeadLetters(str(opts.name)));

  const batch = dt.command('batch').description('Several twin and relationship writes in one transaction (extension): all or none.');
  flag(batch, '--operations <json|file>', 'The operations: an array, or {"operations":[...]}.', { required: true });
  action(batch, async (opts, ctx) => {
    const value = await jsonArg(str(opts.operations), '--operations');
    const ops = Array.isArray(value) ? value : (value as { operations?: unknown }).operations;
    if (!Array.isArray(ops)) throw new CliError('--operations must be an array of operations or {"operations":[...]}.');
    return ctx.api.batch(ops as BatchOperation[]);
  });
}
