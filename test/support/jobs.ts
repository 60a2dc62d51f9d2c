import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callGateway, until } from './gateway';

/** A fresh jobs storage directory for one test file (JOBS_STORAGE_DIR of its system). */
export function jobsStorage(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'odt-jobs-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An import file from its sections' lines (a section left out when undefined). */
export function importFile(sections: { models?: unknown[]; twins?: unknown[]; relationships?: unknown[] }): string {
  const text = (l: unknown) => (typeof l === 'string' ? l : JSON.stringify(l));
  const parts = [text({ Section: 'Header' }), text({ fileVersion: '1.0.0', author: 'test', organization: 'odt' })];
  for (const [name, lines] of [['Models', sections.models], ['Twins', sections.twins], ['Relationships', sections.relationships]] as const) {
    if (!lines) continue;
    parts.push(text({ Section: name }));
    for (const line of lines) parts.push(text(line));
  }
  return parts.join('\n') + '\n';
}

export function writeJobFile(dir: string, name: string, text: string | Buffer): string {
  writeFileSync(path.join(dir, name), text);
  return `file:///${name}`;
}

/** Polls a job until it has finished (any final status); returns it. */
export async function finishedJob(gatewayUrl: string, route: string, ms = 60_000, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  let job: Record<string, unknown> = {};
  await until(async () => {
    job = (await callGateway(gatewayUrl, 'GET', route, undefined, headers)).body;
    return ['succeeded', 'failed', 'cancelled'].includes(job.status as string);
  }, ms);
  return job;
}

/** The job's log lines (GET …/output), parsed. */
export async function jobLog(gatewayUrl: string, id: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${gatewayUrl}/jobs/imports/${id}/output?api-version=2023-10-31`, { headers });
  const text = await res.text();
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
