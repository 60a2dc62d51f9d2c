import type { Command } from 'commander';
import { flag, optionsOf, str } from '../command-kit';
import { configPath, readConfig, redacted, writeConfig, type AuthSettings, type Profile } from '../config';
import { normaliseEndpoint, outputFormat } from '../context';
import { CliError } from '../errors';
import { emit } from '../output';

export function profileCommands(dt: Command): void {
  const login = dt.command('login').description('Save a profile: the endpoint and how to get a token (in ~/.config/dt/config.yaml).');
  flag(login, '--endpoint <url>', 'The gateway URL (https://twins.example.com), or a host name.', { aliases: ['--dt-name'] });
  flag(login, '--token <token>', 'A fixed access token (stored in the file: prefer --token-command).');
  flag(login, '--token-command <command>', 'A command that prints an access token (az account get-access-token ..., or JSON with accessToken).');
  flag(login, '--client-id <id>', 'OAuth client credentials: the client id (with --client-secret and --issuer or --token-url).');
  flag(login, '--client-secret <secret>', 'OAuth client credentials: the secret.');
  flag(login, '--issuer <url>', 'The OIDC issuer (its discovery document names the token endpoint).');
  flag(login, '--token-url <url>', 'The token endpoint itself.');
  flag(login, '--scope <scope>', 'The scope to ask for.');
  flag(login, '--audience <aud>', 'The audience to ask for (Auth0).');
  flag(login, '--default-output <format>', 'The default -o of this profile.');
  login.action(async (...params: unknown[]) => {
    const self = params[params.length - 1] as Command;
    const opts = optionsOf(self);
    // `--endpoint` is also a global option: commander gives it to the program.
    const endpoint = normaliseEndpoint(str(opts.endpoint ?? opts.dtName));
    if (!endpoint) throw new CliError('Give --endpoint.');
    let auth: AuthSettings = { type: 'none' };
    if (opts.tokenCommand) auth = { type: 'token-command', command: str(opts.tokenCommand) };
    else if (opts.token) auth = { type: 'token', token: str(opts.token) };
    else if (opts.clientId) {
      if (!opts.clientSecret || !(opts.issuer || opts.tokenUrl)) throw new CliError('Client credentials need --client-secret and --issuer or --token-url.');
      auth = {
        type: 'client-credentials',
        clientId: str(opts.clientId),
        clientSecret: str(opts.clientSecret),
        ...(opts.issuer ? { issuer: str(opts.issuer) } : {}),
        ...(opts.tokenUrl ? { tokenUrl: str(opts.tokenUrl) } : {}),
        ...(opts.scope ? { scope: str(opts.scope) } : {}),
        ...(opts.audience ? { audience: str(opts.audience) } : {}),
      };
    }
    const name = str(opts.profile ?? 'default');
    const profile: Profile = { endpoint, auth, ...(opts.defaultOutput ? { output: outputFormat(str(opts.defaultOutput)) } : {}) };
    const config = await readConfig();
    config.profiles[name] = profile;
    config.current ??= name;
    if (opts.profile) config.current = name;
    await writeConfig(config);
    process.stderr.write(`Saved profile ${name} in ${configPath()}.\n`);
    await emit({ name, ...redacted(profile) }, { format: outputFormat(opts.output) });
  });

  const logout = dt.command('logout').description('Remove a profile.');
  logout.action(async (...params: unknown[]) => {
    const opts = optionsOf(params[params.length - 1] as Command);
    const config = await readConfig();
    const name = str(opts.profile ?? config.current ?? 'default');
    if (!config.profiles[name]) throw new CliError(`No profile ${name}.`);
    delete config.profiles[name];
    if (config.current === name) delete config.current;
    await writeConfig(config);
  });

  const profile = dt.command('profile').description('Profiles in ~/.config/dt/config.yaml.');
  profile.command('list').description('List profiles (secrets hidden).').action(async (...params: unknown[]) => {
    const opts = optionsOf(params[params.length - 1] as Command);
    const config = await readConfig();
    const rows = Object.entries(config.profiles).map(([name, p]) => ({ name, current: name === (config.current ?? 'default'), ...redacted(p) }));
    await emit(rows, { format: outputFormat(opts.output), ...(opts.query ? { query: opts.query } : {}), columns: { Name: (r) => r.name, Current: (r) => (r.current ? '*' : ''), Endpoint: (r) => r.endpoint, Auth: (r) => (r.auth as { type?: string } | undefined)?.type ?? 'none' } });
  });
  profile.command('use').description('Make a profile the current one.').argument('<name>').action(async (name: string) => {
    const config = await readConfig();
    if (!config.profiles[name]) throw new CliError(`No profile ${name}.`);
    config.current = name;
    await writeConfig(config);
  });
}
