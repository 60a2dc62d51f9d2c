import { spawn } from 'node:child_process';
import { restartDelay, Supervisor, type SupervisorEvent } from './supervisor';

describe('restartDelay', () => {
  it('doubles from the initial wait up to the maximum', () => {
    const policy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((failures) => restartDelay(failures, policy))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
});

describe('Supervisor', () => {
  const node = (code: string) => () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  const until = async (check: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('restarts a process that keeps exiting after 50, 100, 200, 200 ms, and none after stop()', async () => {
    const events: SupervisorEvent[] = [];
    const supervisor = new Supervisor([{ name: 'crasher', spawn: node('process.exit(3)') }], { initialMs: 50, maxMs: 200, resetAfterMs: 60_000 }, (e) => events.push(e));
    supervisor.start();
    await until(() => events.filter((e) => e.kind === 'exited').length >= 4);
    await supervisor.stop();
    const exits = events.filter((e) => e.kind === 'exited');
    expect(exits.slice(0, 4).map((e) => e.kind === 'exited' && [e.code, e.restartInMs])).toEqual([[3, 50], [3, 100], [3, 200], [3, 200]]);
    const count = events.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(events).toHaveLength(count);
  });

  it('waits the initial time again after a process stayed up long enough', async () => {
    const events: SupervisorEvent[] = [];
    const supervisor = new Supervisor([{ name: 'slow', spawn: node('setTimeout(() => process.exit(1), 300)') }], { initialMs: 50, maxMs: 1000, resetAfterMs: 200 }, (e) => events.push(e));
    supervisor.start();
    await until(() => events.filter((e) => e.kind === 'exited').length >= 3);
    await supervisor.stop();
    expect(events.filter((e) => e.kind === 'exited').slice(0, 3).map((e) => e.kind === 'exited' && e.restartInMs)).toEqual([50, 50, 50]);
  });

  it('stops a running process with SIGTERM and does not restart it', async () => {
    const events: SupervisorEvent[] = [];
    const supervisor = new Supervisor([{ name: 'server', spawn: node('setInterval(() => undefined, 1000)') }], { initialMs: 50, maxMs: 100, resetAfterMs: 1000 }, (e) => events.push(e));
    supervisor.start();
    const child = supervisor.child('server')!;
    await supervisor.stop();
    expect(child.signalCode).toBe('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(events.map((e) => e.kind)).toEqual(['started']);
  });
});
