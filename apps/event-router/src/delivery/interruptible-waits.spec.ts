import { InterruptibleWaits } from './interruptible-waits';

describe('InterruptibleWaits: the pauses between attempts that a stop cuts short', () => {
  it('ends a wait after its time', async () => {
    const waits = new InterruptibleWaits();
    const start = Date.now();
    await waits.wait(50);
    expect(Date.now() - start).toBeGreaterThanOrEqual(45);
  });

  it('ends every wait at once when interrupted, and any later one straight away', async () => {
    const waits = new InterruptibleWaits();
    const start = Date.now();
    const pending = Promise.all([waits.wait(60_000), waits.wait(30_000)]);
    waits.interrupt();
    await pending;
    await waits.wait(60_000);
    expect(waits.isInterrupted).toBe(true);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});
