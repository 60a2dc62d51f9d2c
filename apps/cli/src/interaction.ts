import { createInterface } from 'node:readline/promises';
import { CliError } from './errors';
import type { Context } from './context';

/** Asks on a terminal; elsewhere (a script, CI) only `--yes` lets a destructive command go on. */
export async function confirm(ctx: Context, question: string): Promise<void> {
  if (ctx.yes) return;
  if (!process.stdin.isTTY || !process.stderr.isTTY) throw new CliError(`${question} Not on a terminal: pass --yes to confirm.`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('Cancelled.', 130);
  } finally {
    rl.close();
  }
}

/** A one-line progress indicator on stderr, drawn only on a terminal. */
export class Progress {
  private last = 0;

  constructor(private readonly enabled: boolean, private readonly label: string) {}

  update(text: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 80) return;
    this.last = now;
    process.stderr.write(`\r\x1b[2K${this.label}: ${text}`);
  }

  done(text?: string): void {
    if (!this.enabled) return;
    process.stderr.write(`\r\x1b[2K${text ? `${this.label}: ${text}\n` : ''}`);
  }
}

/** Warnings and notes go to stderr, so stdout stays the data. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}
