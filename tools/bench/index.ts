import { benchConnections } from './connections';
import { benchEvents } from './events';
import { benchExplorer } from './explorer';
import { benchHistory } from './history';
import { benchJobs } from './jobs';
import { benchQuery } from './query';
import { benchTwins } from './twins';

/** `npm run bench -- <suite>`: the benchmarks, each against the real Postgres and NATS of this machine. */
const suites: Record<string, (args: string[]) => Promise<void>> = {
  twins: benchTwins,
  query: benchQuery,
  events: benchEvents,
  history: benchHistory,
  connections: benchConnections,
  jobs: benchJobs,
  explorer: benchExplorer,
};

async function main(): Promise<void> {
  // Suite names, then options for them: `npm run bench -- query --twins 1000000`.
  const argv = process.argv.slice(2);
  const firstOption = argv.findIndex((arg) => arg.startsWith('--'));
  const requested = firstOption < 0 ? argv : argv.slice(0, firstOption);
  const options = firstOption < 0 ? [] : argv.slice(firstOption);
  const names = requested.length > 0 ? requested : Object.keys(suites);
  for (const name of names) {
    const suite = suites[name];
    if (!suite) throw new Error(`unknown benchmark '${name}'; known: ${Object.keys(suites).join(', ')}`);
    await suite(options);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
