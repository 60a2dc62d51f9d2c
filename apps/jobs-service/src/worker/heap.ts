import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, asked for between batches. V8 grows its heap before it collects
 * (lazily), so a worker streaming a file of millions of lines would hold more and more garbage;
 * collecting every few batches keeps its memory at its live size. (`--expose-gc` turned on here
 * rather than on the command line, so the service runs the same under `npm start`, Compose and k8s.)
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

export function collectGarbage(): void {
  gc();
}
