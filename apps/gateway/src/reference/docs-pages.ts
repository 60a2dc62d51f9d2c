import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository's `docs/*.md`, served as text when the gateway runs from a checkout (`npm
 * start`); the container image leaves them out, and then there are none.
 */
export class DocsPages {
  private readonly dir = path.resolve(__dirname, '../../../../docs');

  names(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((f) => /^[a-z0-9-]+\.md$/.test(f)).sort();
  }

  read(name: string): string | undefined {
    return this.names().includes(name) ? readFileSync(path.join(this.dir, name), 'utf8') : undefined;
  }
}
