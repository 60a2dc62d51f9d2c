import type { Command } from 'commander';
import { action, flag, int, str } from '../command-kit';
import { CliError } from '../errors';
import { jsonArg } from '../input';

const routeColumns = {
  RouteName: (r: Record<string, unknown>) => r.id,
  EndpointName: (r: Record<string, unknown>) => r.endpointName,
  Filter: (r: Record<string, unknown>) => r.filter,
};
const endpointColumns = {
  Name: (e: Record<string, unknown>) => e.name,
  Type: (e: Record<string, unknown>) => e.endpointType,
  Target: (e: Record<string, unknown>) => e.url ?? e.subject ?? e.topic ?? e.exchange,
};

export function routingCommands(dt: Command): void {
  const route = dt.command('route').description('Event routes: which events go to which endpoint.');
  const create = route.command('create').description('Create (or replace) an event route.');
  flag(create, '--route-name <name>', 'The route name.', { aliases: ['--rn'], required: true });
  flag(create, '--endpoint-name <name>', 'The endpoint the events go to.', { aliases: ['--en'], required: true });
  flag(create, '--filter <filter>', 'Which events (ADT\'s filter language).', { default: 'true' });
  action(create, async (opts, ctx) => {
    await ctx.api.eventRoutes.upsert(str(opts.routeName), { endpointName: str(opts.endpointName), filter: str(opts.filter) });
    return ctx.api.eventRoutes.get(str(opts.routeName));
  }, { columns: routeColumns });
  const show = route.command('show').description('Show an event route.');
  flag(show, '--route-name <name>', 'The route name.', { aliases: ['--rn'], required: true });
  action(show, async (opts, ctx) => ctx.api.eventRoutes.get(str(opts.routeName)), { columns: routeColumns });
  action(route.command('list').description('List event routes.'), async (_opts, ctx) => ctx.api.eventRoutes.list(), { columns: routeColumns });
  const del = route.command('delete').description('Delete an event route.');
  flag(del, '--route-name <name>', 'The route name.', { aliases: ['--rn'], required: true });
  action(del, async (opts, ctx) => { await ctx.api.eventRoutes.delete(str(opts.routeName)); });

  const endpoint = dt.command('endpoint').description('Endpoints: where routed events are delivered (NATS, webhook, MQTT, AMQP). In ADT these are control plane.');
  const ecreate = endpoint.command('create').description('Create (or replace) an endpoint.');
  flag(ecreate, '--endpoint-name <name>', 'The endpoint name.', { aliases: ['--en'], required: true });
  flag(ecreate, '--type <type>', 'The kind of endpoint.', { choices: ['nats', 'webhook', 'mqtt', 'amqp'] });
  flag(ecreate, '--url <url>', 'Webhook URL, or the MQTT/AMQP broker URL.');
  flag(ecreate, '--subject <subject>', 'NATS subject.');
  flag(ecreate, '--topic <topic>', 'MQTT topic.');
  flag(ecreate, '--exchange <name>', 'AMQP exchange.');
  flag(ecreate, '--routing-key <key>', 'AMQP routing key.');
  flag(ecreate, '--dead-letter', 'Keep the events it never takes (dead letters).');
  flag(ecreate, '--max-attempts <n>', 'Delivery attempts before dead-lettering.');
  flag(ecreate, '-p, --properties <json|file>', 'The whole endpoint as JSON (docs/events.md), instead of the flags.');
  action(ecreate, async (opts, ctx) => {
    let body: Record<string, unknown>;
    if (opts.properties) {
      const value = await jsonArg(str(opts.properties), '--properties');
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('--properties must be a JSON object.');
      body = value as Record<string, unknown>;
    } else {
      if (!opts.type) throw new CliError('Give --type (or the whole endpoint with --properties).');
      body = { endpointType: opts.type };
      for (const key of ['url', 'subject', 'topic', 'exchange', 'routingKey'] as const) if (opts[key] !== undefined) body[key] = opts[key];
      if (opts.deadLetter) body.deadLetter = { enabled: true };
      if (opts.maxAttempts) body.retry = { maxAttempts: int(opts.maxAttempts, '--max-attempts') };
    }
    return ctx.api.endpoints.upsert(str(opts.endpointName), body);
  }, { columns: endpointColumns });
  const eshow = endpoint.command('show').description('Show an endpoint (secrets are never shown).');
  flag(eshow, '--endpoint-name <name>', 'The endpoint name.', { aliases: ['--en'], required: true });
  action(eshow, async (opts, ctx) => ctx.api.endpoints.get(str(opts.endpointName)), { columns: endpointColumns });
  action(endpoint.command('list').description('List endpoints.'), async (_opts, ctx) => ctx.api.endpoints.list(), { columns: endpointColumns });
  const edel = endpoint.command('delete').description('Delete an endpoint (no route may use it).');
  flag(edel, '--endpoint-name <name>', 'The endpoint name.', { aliases: ['--en'], required: true });
  action(edel, async (opts, ctx) => { await ctx.api.endpoints.delete(str(opts.endpointName)); });

  const dl = endpoint.command('deadletter').description('The events an endpoint never took.');
  const dlist = dl.command('list').description('List them, oldest first.');
  flag(dlist, '--endpoint-name <name>', 'The endpoint name.', { aliases: ['--en'], required: true });
  action(dlist, async (opts, ctx) => ctx.api.endpoints.deadLetters(str(opts.endpointName)));
  const replay = dl.command('replay').description('Deliver them again, in order.');
  flag(replay, '--endpoint-name <name>', 'The endpoint name.', { aliases: ['--en'], required: true });
  action(replay, async (opts, ctx) => ctx.api.endpoints.replayDeadLetters(str(opts.endpointName)));
}
