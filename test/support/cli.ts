import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DT_BIN = path.join(__dirname, '../../apps/cli/bin/dt.js');

/** Builds the CLI's bundle once, before tests spawn it (so parallel spawns never race to build it). */
export function buildCli(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../../apps/cli/build.js') as { build(): void }).build();
}

export interface DtResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A user's machine for the CLI: a temporary HOME and XDG_CONFIG_HOME, removed by `cleanup`. */
export class CliHome {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'dt-home-'));

  env(extra: Record<string, string> = {}): Record<string, string> {
    return { PATH: process.env.PATH ?? '', HOME: this.dir, XDG_CONFIG_HOME: path.join(this.dir, '.config'), ...extra };
  }

  /** Runs `dt` with these arguments (no shell: `$` needs no quoting here), stdin from `input`. */
  run(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<DtResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [DT_BIN, ...args], { env: this.env(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
