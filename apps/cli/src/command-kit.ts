import { Command, Option } from 'commander';
import { createContext, type Context, type GlobalOptions } from './context';
import { CliError } from './errors';
import { emit, type OutputOptions } from './output';

export type Opts = GlobalOptions & Record<string, unknown>;

interface Declared {
  /** camelCase key → the flag users see, for "missing" messages. */
  required: Map<string, string>;
  /** alias key → main key. */
  aliases: Map<string, string>;
}

const declared = new WeakMap<Command, Declared>();
const meta = (cmd: Command): Declared => {
  let d = declared.get(cmd);
  if (!d) declared.set(cmd, (d = { required: new Map(), aliases: new Map() }));
  return d;
};

const keyOf = (flags: string): string => new Option(flags).attributeName();

export interface FlagOptions {
  /** More long names (az's short long names: `--fd`, `--dtmi`...), hidden from help. */
  aliases?: string[];
  required?: boolean;
  choices?: string[];
  default?: unknown;
}

/** An option with az's long names as hidden aliases; `required` is checked after the aliases are merged. */
export function flag(cmd: Command, flags: string, description: string, options: FlagOptions = {}): Command {
  const option = new Option(flags, description);
  if (options.choices) option.choices(options.choices);
  if (options.default !== undefined) option.default(options.default);
  cmd.addOption(option);
  const key = option.attributeName();
  const takesValue = /[<[]/.test(flags);
  for (const alias of options.aliases ?? []) {
    const aliasFlags = takesValue ? `${alias} ${flags.slice(flags.search(/[<[]/))}` : alias;
    cmd.addOption(new Option(aliasFlags).hideHelp());
    meta(cmd).aliases.set(keyOf(aliasFlags), key);
  }
  if (options.required) meta(cmd).required.set(key, option.long ?? flags);
  return cmd;
}

/** The command's options (global ones included), its aliases merged and its required ones checked. */
export function optionsOf(cmd: Command): Opts {
  const opts = cmd.optsWithGlobals<Opts>();
  const d = meta(cmd);
  for (const [alias, key] of d.aliases) if (opts[alias] !== undefined && opts[key] === undefined) opts[key] = opts[alias];
  const missing = [...d.required].filter(([key]) => opts[key] === undefined).map(([, f]) => f);
  if (missing.length > 0) throw new CliError(`Missing required option${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`);
  return opts;
}

export interface Action {
  (opts: Opts, ctx: Context, args: string[]): Promise<unknown>;
}

/** Runs a command's handler with its context, and prints what it returns (nothing for `undefined`). */
export function action(cmd: Command, handler: Action, output: Pick<OutputOptions, 'columns'> = {}): Command {
  return cmd.action(async (...params: unknown[]) => {
    const self = params[params.length - 1] as Command;
    const opts = optionsOf(self);
    const ctx = await createContext(opts);
    const result = await handler(opts, ctx, self.args);
    if (result !== undefined) await emit(result, { format: ctx.output, ...(ctx.query ? { query: ctx.query } : {}), ...output });
  });
}

export const str = (v: unknown): string => v as string;
export const int = (v: unknown, flagName: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${flagName} must be a whole number, not ${String(v)}.`);
  return n;
};
