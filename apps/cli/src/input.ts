import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError } from './errors';

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('Expected input on stdin, but stdin is a terminal.');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CliError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * az's "inline JSON or a file path": JSON text, `@file`, `-` (stdin) or a path.
 * A value that is neither JSON nor an existing file is a usage error naming both.
 */
export async function jsonArg(value: string, flag: string): Promise<unknown> {
  if (value === '-') return parseJson(await readStdin(), `stdin (${flag})`);
  const file = value.startsWith('@') ? value.slice(1) : undefined;
  const trimmed = value.trim();
  if (!file && /^[[{"]/.test(trimmed)) return parseJson(trimmed, flag);
  const p = file ?? value;
  if (!existsSync(p)) {
    if (/^(true|false|null|-?\d)/.test(trimmed)) return parseJson(trimmed, flag);
    throw new CliError(`${flag}: no such file ${p} (and not inline JSON).`);
  }
  return parseJson(readFileSync(p, 'utf8'), p);
}

/** Text from a flag, `@file`, or `-` (stdin). */
export async function textArg(value: string, flag: string): Promise<string> {
  if (value === '-') return readStdin();
  if (value.startsWith('@')) {
    const p = value.slice(1);
    if (!existsSync(p)) throw new CliError(`${flag}: no such file ${p}.`);
    return readFileSync(p, 'utf8');
  }
  return value;
}

/** Every `.json` and `.dtdl` file under `dir` (recursively): each an interface or an array of them. */
export function modelsFromDirectory(dir: string): { models: unknown[]; files: number } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`--from-directory: no such directory ${dir}.`);
  const models: unknown[] = [];
  let files = 0;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(json|dtdl)$/i.test(entry.name)) {
        files++;
        const value = parseJson(readFileSync(p, 'utf8'), p);
        if (Array.isArray(value)) models.push(...value);
        else models.push(value);
      }
    }
  };
  walk(dir);
  if (models.length === 0) throw new CliError(`--from-directory: no .json or .dtdl models under ${dir}.`);
  return { models, files };
}
