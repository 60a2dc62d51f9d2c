import { runMigrations } from '@odt/service-kit';
import { allDataSourceOptions } from './migrations';

/** `npm run migrate`: create the database if missing and apply pending migrations, once, under a lock. */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/digitaltwins';
  const applied = await runMigrations(url, allDataSourceOptions(url));
  process.stdout.write(`${JSON.stringify({ level: 'info', service: 'migrate', msg: 'migrations done', applied })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'migrate', msg: (err as Error).message })}\n`);
  process.exit(1);
});
