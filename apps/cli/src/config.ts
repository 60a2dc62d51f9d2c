import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './errors';

export type AuthSettings =
  | { type: 'none' }
  | { type: 'token'; token: string }
  | { type: 'token-command'; command: string }
  | { type: 'client-credentials'; issuer?: string; tokenUrl?: string; clientId: string; clientSecret: string; scope?: string; audience?: string };

export interface Profile {
  endpoint: string;
  auth?: AuthSettings;
  /** Default `-o`. */
  output?: string;
}

export interface ConfigFile {
  current?: string;
  profiles: Record<string, Profile>;
}

/** `$XDG_CONFIG_HOME/dt/config.yaml`, else `~/.config/dt/config.yaml`; `DT_CONFIG` names another file. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DT_CONFIG) return env.DT_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'dt', 'config.yaml');
}

export async function readConfig(file = configPath()): Promise<ConfigFile> {
  if (!existsSync(file)) return { profiles: {} };
  const { parse } = await import('yaml');
  let value: unknown;
  try {
    value = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
  const config = (value ?? {}) as Partial<ConfigFile>;
  return { ...(config.current ? { current: config.current } : {}), profiles: config.profiles ?? {} };
}

/** Written readable by its owner only: it may hold a token or a client secret. */
export async function writeConfig(config: ConfigFile, file = configPath()): Promise<void> {
  const { stringify } = await import('yaml');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, stringify(config), { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** A profile with its secrets hidden, for printing. */
export function redacted(profile: Profile): Profile {
  const auth = profile.auth;
  if (!auth) return profile;
  if (auth.type === 'token') return { ...profile, auth: { ...auth, token: '***' } };
  if (auth.type === 'client-credentials') return { ...profile, auth: { ...auth, clientSecret: '***' } };
  return profile;
}
