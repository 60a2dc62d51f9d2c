import { benchConnections } from './connections';
import { benchEvents } from './events';
import { benchExplorer } from './explorer';
import { benchHistory } from './history';
import { benchJobs } from './jobs';
import { benchQuery } from './query';
import { benchTwins } from './twins';

/** `npm run bench -- <suite>`: the benchmarks, each against the real Postgres and NATS of this machine. */
const suites: Record<string, () => Promise<void>> = {
  twins: benchTwins,
  query: benchQuery,
  events: benchEvents,
  history: benchHistory,
  connections: benchConnections,
  jobs: benchJobs,
  explorer: benchExplorer,
};

async function main(): Promise<void> {
  // Flags (`--seconds=60`) are the suites' own.
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const names = requested.length > 0 ? requested : Object.keys(suites);
  for (const name of names) {
    const suite = suites[name];
    if (!suite) throw new Error(`unknown benchmark '${name}'; known: ${Object.keys(suites).join(', ')}`);
    await suite();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
