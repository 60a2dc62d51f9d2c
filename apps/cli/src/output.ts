import type { Writable } from 'node:stream';
import { CliError } from './errors';

export type OutputFormat = 'json' | 'jsonl' | 'yaml' | 'table' | 'none';

export interface OutputOptions {
  format: OutputFormat;
  /** JMESPath, as az's `--query`. On a list: over the whole list, except with jsonl (over each item, so it still streams). */
  query?: string;
  /** `-o table` columns: header → JMESPath-free accessor, like az's table transformers. */
  columns?: Record<string, (row: Record<string, unknown>) => unknown>;
  out?: Writable;
}

type Search = (data: unknown, expression: string) => unknown;
let search: Search | undefined;
async function jmespath(data: unknown, expression: string): Promise<unknown> {
  search ??= (await import('@jmespath-community/jmespath')).search as Search;
  try {
    return search(data as never, expression);
  } catch (err) {
    throw new CliError(`Bad --query ${JSON.stringify(expression)}: ${(err as Error).message}`);
  }
}

/** Writes, waiting when the reader is slower (so a long listing never piles up in memory). */
function write(out: Writable, text: string): Promise<void> | void {
  if (!out.write(text)) return new Promise((resolve) => out.once('drain', resolve));
}

function isIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Prints one value, or a list streamed as it is fetched (json, jsonl and yaml keep one page in memory). */
export async function emit(result: unknown, options: OutputOptions): Promise<void> {
  const out = options.out ?? process.stdout;
  if (options.format === 'none') {
    if (isIterable(result)) for await (const _ of result) { /* drain */ }
    return;
  }
  // A list printed as lines: one item each.
  if (options.format === 'jsonl' && Array.isArray(result)) result = fromArray(result);
  if (isIterable(result)) {
    if (options.format === 'jsonl') {
      for await (const item of result) {
        const value = options.query ? await jmespath(item, options.query) : item;
        if (value !== null && value !== undefined) await write(out, `${JSON.stringify(value)}\n`);
      }
      return;
    }
    if (!options.query && options.format === 'json') return streamJsonArray(result, out);
    if (!options.query && options.format === 'yaml') {
      const { stringify } = await import('yaml');
      let any = false;
      for await (const item of result) {
        any = true;
        await write(out, stringify([item]));
      }
      if (!any) await write(out, '[]\n');
      return;
    }
    const all: unknown[] = [];
    for await (const item of result) all.push(item);
    result = all;
  }
  const value = options.query ? await jmespath(result, options.query) : result;
  switch (options.format) {
    case 'json':
      return write(out, `${JSON.stringify(value, null, 2)}\n`);
    case 'jsonl':
      return write(out, `${JSON.stringify(value)}\n`);
    case 'yaml':
      return write(out, (await import('yaml')).stringify(value));
    case 'table':
      return write(out, table(value, options.query ? undefined : options.columns));
  }
}

async function* fromArray(items: unknown[]): AsyncGenerator<unknown> {
  yield* items;
}

async function streamJsonArray(items: AsyncIterable<unknown>, out: Writable): Promise<void> {
  let first = true;
  for await (const item of items) {
    const text = JSON.stringify(item, null, 2).replace(/\n/g, '\n  ');
    await write(out, `${first ? '[\n' : ',\n'}  ${text}`);
    first = false;
  }
  await write(out, first ? '[]\n' : '\n]\n');
}

/** A plain text table: az's table output, one row per item, scalars only. */
export function table(value: unknown, columns?: OutputOptions['columns']): string {
  const rows = (Array.isArray(value) ? value : [value]).filter((r) => r !== undefined && r !== null);
  if (rows.length === 0) return '';
  let header: string[];
  let cells: string[][];
  if (rows.every((r) => typeof r !== 'object')) {
    header = ['Result'];
    cells = rows.map((r) => [String(r)]);
  } else if (columns) {
    header = Object.keys(columns);
    cells = rows.map((r) => header.map((h) => cellText(columns[h]!(r as Record<string, unknown>))));
  } else {
    const keys: string[] = [];
    for (const r of rows.slice(0, 100)) for (const [k, v] of Object.entries(r as object)) if (!keys.includes(k) && (v === null || typeof v !== 'object')) keys.push(k);
    header = keys;
    cells = rows.map((r) => keys.map((k) => cellText((r as Record<string, unknown>)[k])));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((t, i) => t.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
}

function cellText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
