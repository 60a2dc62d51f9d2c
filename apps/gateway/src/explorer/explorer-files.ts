import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** Where `vite build` writes the Explorer (apps/explorer/dist), from this file's place in the tree. */
export const EXPLORER_DIST = path.resolve(__dirname, '..', '..', '..', 'explorer', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ExplorerFile { body: Buffer; type: string; cacheControl: string }

/**
 * The built Explorer's files, read once and kept (a few hundred kB). Vite names its assets by
 * content hash, so they are cached for a year; index.html is revalidated every time. Any other
 * path under /explorer/ is the single-page app's own (index.html); a missing asset is a 404.
 */
export class ExplorerFiles {
  private readonly cache = new Map<string, ExplorerFile | null>();
  private readonly root: string;

  constructor(root = EXPLORER_DIST) {
    this.root = root;
  }

  available(): boolean {
    return existsSync(path.join(this.root, 'index.html'));
  }

  /** The file for a path below /explorer/ ('' for the app itself), or undefined when there is none. */
  file(relative: string): ExplorerFile | undefined {
    const clean = decodeURIComponent(relative.split('?')[0]).replace(/^\/+/, '');
    const isAsset = /\.[a-z0-9]+$/i.test(clean);
    const target = isAsset ? clean : 'index.html';
    if (this.cache.has(target)) return this.cache.get(target) ?? undefined;
    const found = this.read(target);
    this.cache.set(target, found ?? null);
    return found;
  }

  private read(relative: string): ExplorerFile | undefined {
    const full = path.resolve(this.root, relative);
    if (!existsSync(full) || !statSync(full).isFile()) return undefined;
    // Nothing outside dist/, whatever the path says (`..`, symlinks).
    const real = realpathSync(full);
    if (!real.startsWith(realpathSync(this.root) + path.sep)) return undefined;
    const ext = path.extname(real).toLowerCase();
    return {
      body: readFileSync(real),
      type: TYPES[ext] ?? 'application/octet-stream',
      cacheControl: relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
  }
}
