import { chaosTable, runChaos } from '../test/support/chaos';

/**
 * `npm run chaos`: the fault scenario of test/integration/chaos.int-spec.ts, longer. On a private
 * Postgres and NATS (never the shared ones), under a steady write load, each round SIGKILLs every
 * service in turn and starts it again, restarts NATS, crashes Postgres, and terminates every
 * Postgres session of the services; then it checks that every acknowledged write reads back and
 * every committed change is in the stream exactly once.
 *
 * CHAOS_ROUNDS (default 2), CHAOS_DURATION_S (keep going, round after round, until it has passed),
 * CHAOS_REPLICAS (per service, default 1), CHAOS_SETTLE_S (steady load before each fault, default 5),
 * CHAOS_OUTAGE_S (NATS and Postgres downtime, default 3), CHAOS_TWINS (twins in the load, as many relationships; default 8).
 */
async function main(): Promise<void> {
  // Ctrl-C: exit through the exit handlers, which kill the services and stop the private servers.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const num = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
    return value;
  };
  const report = await runChaos({
    // With a duration and no round count, rounds go on until the duration has passed.
    rounds: process.env.CHAOS_DURATION_S && !process.env.CHAOS_ROUNDS ? 1 : num('CHAOS_ROUNDS', 2),
    durationMs: process.env.CHAOS_DURATION_S ? num('CHAOS_DURATION_S', 0) * 1000 : undefined,
    replicas: num('CHAOS_REPLICAS', 1),
    twins: num('CHAOS_TWINS', 8),
    settleMs: num('CHAOS_SETTLE_S', 5) * 1000,
    outageMs: num('CHAOS_OUTAGE_S', 3) * 1000,
    log: (line) => process.stderr.write(`[chaos] ${line}\n`),
  });
  process.stdout.write(`${chaosTable(report)}\n`);
  const { check, events } = report;
  const failed = report.faults.some((f) => f.readyMs === null || f.writeMs === null) || report.crashes.length > 0 || report.undelivered.length > 0
    || check.lost.length + check.withoutEvent.length + events.missing.length + events.duplicated.length + events.unexpected.length > 0;
  if (failed) {
    const details = { lost: check.lost, withoutEvent: check.withoutEvent, missing: events.missing, duplicated: events.duplicated, unexpected: events.unexpected, undelivered: report.undelivered, crashes: report.crashes };
    process.stdout.write(`${JSON.stringify(details, null, 2)}\n`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`[chaos] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
