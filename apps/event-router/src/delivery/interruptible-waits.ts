/**
 * The waits between delivery attempts, which a stopping worker cuts short: `interrupt` ends every
 * wait at once, and a wait asked for afterwards ends at once too.
 */
export class InterruptibleWaits {
  private readonly pending = new Set<() => void>();
  private interrupted = false;

  get isInterrupted(): boolean {
    return this.interrupted;
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.interrupted) return resolve();
      const wake = () => {
        clearTimeout(timer);
        this.pending.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.pending.add(wake);
    });
  }

  interrupt(): void {
    this.interrupted = true;
    for (const wake of this.pending) wake();
  }
}
