import { Controller, Get, HttpCode, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';

/** A dependency that must be reachable for the service to be ready (Postgres, NATS, ...). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /** What `/readyz` shows about it besides ok or not (e.g. a consumer's lag). */
  details?(): Record<string, unknown>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@Injectable()
export class ReadinessService {
  private shuttingDown = false;

  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async report(): Promise<{ ready: boolean; checks: Record<string, string>; details?: Record<string, unknown> }> {
    const checks: Record<string, string> = {};
    const details: Record<string, unknown> = {};
    for (const c of this.checks) if (c.details) details[c.name] = c.details();
    await Promise.all(
      this.checks.map(async (c) => {
        try {
          await withTimeout(c.check(), 2000);
          checks[c.name] = 'ok';
        } catch (err) {
          checks[c.name] = (err as Error).message || 'failed';
        }
      }),
    );
    const ready = !this.shuttingDown && Object.values(checks).every((v) => v === 'ok');
    if (this.shuttingDown) checks.shutdown = 'in progress';
    return Object.keys(details).length > 0 ? { ready, checks, details } : { ready, checks };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

/** `/healthz`: the process is alive (no dependencies). `/readyz`: its dependencies are reachable. */
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(): Promise<{ status: 'ready'; checks: Record<string, string>; details?: Record<string, unknown> }> {
    const { ready, checks, details } = await this.readiness.report();
    if (!ready) throw new ServiceUnavailableException({ status: 'not ready', checks, ...(details ? { details } : {}) });
    return { status: 'ready', checks, ...(details ? { details } : {}) };
  }
}
