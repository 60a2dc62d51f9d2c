import { runStdio } from './stdio';

runStdio().catch((err: unknown) => {
  process.stderr.write(`dt-mcp: ${(err as Error).message}\n`);
  process.exit(1);
});
