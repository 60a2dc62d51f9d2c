import { SERVICES } from '../../tools/services';
import { chaosTable, inflictFaults, startChaosSystem, type ChaosReport, type ChaosSystem } from '../support/chaos';

/**
 * The short chaos run (`npm run chaos` is the long one): on a private Postgres and NATS, under a
 * steady load of twin and relationship writes through the gateway, each service is SIGKILLed and
 * started again in turn, then NATS is SIGKILLed and started again, then Postgres crashes
 * (`pg_ctl stop -m immediate`) and starts again, then every Postgres session of the services is
 * terminated (`pg_terminate_backend`). The system must get over each fault by itself,
 * and lose no acknowledged write and no event.
 */
describe('faults under a write load', () => {
  const abort = new AbortController();
  const progress: string[] = [];
  let system: ChaosSystem | undefined;
  let running: Promise<ChaosReport> | undefined;

  // Starting the services and two servers takes long on a loaded machine: not counted in the test.
  beforeAll(async () => {
    system = await startChaosSystem({ log: (l) => progress.push(l) });
  }, 240_000);

  // Should the test time out, the faults stop at the next one, and everything started is removed.
  afterAll(async () => {
    abort.abort();
    await running?.catch((err: Error) => progress.push(`failed: ${err.message}`));
    await system?.dispose();
    console.log(progress.join('\n'));
  }, 60_000);

  it('recovers from every fault by itself and loses no acknowledged write and no event', async () => {
    running = inflictFaults(system!, { rounds: 1, settleMs: 500, outageMs: 1000, recoveryTimeoutMs: 40_000, signal: abort.signal, log: (l) => progress.push(l) });
    const report = await running;
    progress.push(chaosTable(report));

    expect(report.crashes).toEqual([]);
    // A SIGKILL of every service, then NATS and Postgres restarted, then Postgres sessions ended.
    expect(report.faults.map((f) => f.fault)).toEqual([...SERVICES.map((s) => `SIGKILL ${s.name}`), 'restart NATS (SIGKILL)', 'restart Postgres (crash)', 'Postgres connections terminated']);
    expect(report.faults.filter((f) => f.readyMs === null || f.writeMs === null)).toEqual([]);
    // Readiness shows the outage of a dependency (what an orchestrator or a load balancer acts on).
    expect(report.faults.filter((f) => /^restart (NATS|Postgres)/.test(f.fault) && !f.sawUnready)).toEqual([]);
    expect(report.writes.acknowledged).toBeGreaterThan(100);
    expect(report.writes.refused).toEqual([]);
    expect({ lost: report.check.lost, withoutEvent: report.check.withoutEvent }).toEqual({ lost: [], withoutEvent: [] });
    const { events } = report;
    expect(events).toEqual({ committed: events.committed, inStream: events.committed, missing: [], duplicated: [], unexpected: [] });
    // Events go on reaching endpoints too (a route of everything to a nats endpoint).
    expect(report.undelivered).toEqual([]);
  }, 200_000);
});
