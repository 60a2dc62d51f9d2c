import { clientCredentials, DigitalTwinsApi, staticToken, type TokenCredential } from '@odt/client';
import { tokenCommand } from '@odt/client/node';
import { readConfig, type AuthSettings, type Profile } from './config';
import { CliError } from './errors';
import type { OutputFormat } from './output';

/** The options every command accepts (commander's `optsWithGlobals()`). */
export interface GlobalOptions {
  endpoint?: string;
  dtName?: string;
  profile?: string;
  output?: string;
  query?: string;
  yes?: boolean;
  progress?: boolean;
  debug?: boolean;
}

export interface Context {
  api: DigitalTwinsApi;
  profileName: string;
  output: OutputFormat;
  query?: string;
  yes: boolean;
  /** Progress on stderr: only when it is a terminal (and not `--no-progress`). */
  progress: boolean;
}

const FORMATS = ['json', 'jsonl', 'yaml', 'table', 'none'] as const;

export function outputFormat(value: string | undefined): OutputFormat {
  const format = value ?? 'json';
  if (!(FORMATS as readonly string[]).includes(format)) throw new CliError(`Unknown output format ${format}: use one of ${FORMATS.join(', ')}.`);
  return format as OutputFormat;
}

/** Flags over environment (`DT_ENDPOINT`, `DT_TOKEN`, `DT_TOKEN_COMMAND`, `DT_PROFILE`, `DT_OUTPUT`) over the profile. */
export async function resolveProfile(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ name: string; profile: Partial<Profile> }> {
  const config = await readConfig();
  const name = opts.profile ?? env.DT_PROFILE ?? config.current ?? 'default';
  if ((opts.profile ?? env.DT_PROFILE) && !config.profiles[name] && !(opts.endpoint ?? opts.dtName ?? env.DT_ENDPOINT)) {
    throw new CliError(`No profile ${name}: create it with \`dt login --profile ${name} --endpoint <url>\`.`);
  }
  const stored = config.profiles[name] ?? {};
  let auth: AuthSettings | undefined = stored.auth;
  if (env.DT_TOKEN) auth = { type: 'token', token: env.DT_TOKEN };
  else if (env.DT_TOKEN_COMMAND) auth = { type: 'token-command', command: env.DT_TOKEN_COMMAND };
  const endpoint = normaliseEndpoint(opts.endpoint ?? opts.dtName ?? env.DT_ENDPOINT ?? stored.endpoint);
  const output = opts.output ?? env.DT_OUTPUT ?? stored.output;
  return { name, profile: { ...(endpoint ? { endpoint } : {}), ...(auth ? { auth } : {}), ...(output ? { output } : {}) } };
}

/** az's `--dt-name` takes a host name: `twins.example.com` means https. */
export function normaliseEndpoint(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return /^https?:\/\//i.test(value) ? value : `https://${value}`;
}

export function credentialOf(auth: AuthSettings | undefined): TokenCredential | undefined {
  switch (auth?.type) {
    case undefined:
    case 'none':
      return undefined;
    case 'token':
      return staticToken(auth.token);
    case 'token-command':
      return tokenCommand(auth.command);
    case 'client-credentials':
      return clientCredentials(auth);
  }
}

export async function createContext(opts: GlobalOptions): Promise<Context> {
  const { name, profile } = await resolveProfile(opts);
  if (!profile.endpoint) throw new CliError('No endpoint: run `dt login --endpoint <url>`, set DT_ENDPOINT, or pass --endpoint.');
  const credential = credentialOf(profile.auth);
  return {
    api: new DigitalTwinsApi({ endpoint: profile.endpoint, ...(credential ? { credential } : {}) }),
    profileName: name,
    output: outputFormat(profile.output),
    ...(opts.query ? { query: opts.query } : {}),
    yes: opts.yes === true,
    progress: opts.progress !== false && process.stderr.isTTY === true,
  };
}
