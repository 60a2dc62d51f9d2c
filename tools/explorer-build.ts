import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(__dirname, '..');
export const EXPLORER_DIR = path.join(ROOT, 'apps', 'explorer');
const INDEX = path.join(EXPLORER_DIR, 'dist', 'index.html');

function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return t;
}

/** Whether apps/explorer/dist is missing or older than the Explorer's sources. */
export function explorerStale(): boolean {
  if (!existsSync(INDEX)) return true;
  const built = statSync(INDEX).mtimeMs;
  return [path.join(EXPLORER_DIR, 'src'), path.join(EXPLORER_DIR, 'index.html'), path.join(EXPLORER_DIR, 'vite.config.mts')]
    .some((p) => (statSync(p).isDirectory() ? newest(p) : statSync(p).mtimeMs) > built);
}

/**
 * Builds the Explorer (`vite build`, a few seconds) when it is missing or stale. Test files run in
 * parallel: a lock directory makes one of them build while the others wait.
 */
export async function ensureExplorerBuilt(log: (line: string) => void = () => undefined): Promise<void> {
  if (!explorerStale()) return;
  const lock = path.join(EXPLORER_DIR, '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes is left over from a killed build.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (!explorerStale()) return;
    log('Building the Explorer (apps/explorer)…');
    execFileSync(process.execPath, [path.join(path.dirname(require.resolve('vite/package.json', { paths: [EXPLORER_DIR] })), 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: EXPLORER_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
      // Vite follows NODE_ENV, and Jest sets it to `test`: React's development build would be served.
      env: { ...process.env, NODE_ENV: 'production' },
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The JavaScript a first visit loads before the app runs: index.html's scripts and modulepreloads (workers come later). */
export function initialJavaScript(): { files: string[]; bytes: number; gzipped: number } {
  const dist = path.join(EXPLORER_DIR, 'dist');
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/explorer\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const bodies = files.map((f) => readFileSync(path.join(dist, f)));
  return { files, bytes: bodies.reduce((n, b) => n + b.length, 0), gzipped: bodies.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) };
}
