import { databaseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

export const jobsConfigSchema = databaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8107),
  /** Where `file:///<name>` URIs resolve, direct uploads are kept and exports are written (shared with the gateway). */
  JOBS_STORAGE_DIR: z.string().min(1).default('.odt/jobs'),
  /** Let import URLs reach loopback, private and link-local addresses (off: only public hosts). */
  JOBS_ALLOW_PRIVATE_URLS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Run jobs in this process (off: only the API). */
  JOBS_WORKER: z.enum(['on', 'off']).default('on'),
  /** Lines of a section per batch sent to the owning service. */
  JOBS_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(2000),
  /** Largest batch in bytes of JSON (a NATS message; the server's max_payload is 1 MB by default). */
  JOBS_BATCH_BYTES: z.coerce.number().int().min(1024).default(640 * 1024),
  /** Batches in flight at once (each is written in its own transaction). */
  JOBS_PIPELINE: z.coerce.number().int().min(1).max(16).default(3),
  /** A worker holds its job this long past its last heartbeat; then another replica takes it over. */
  JOBS_LEASE_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often idle workers look for a job. */
  JOBS_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** Jobs one replica runs at a time (imports and deletions are one at a time anyway; exports beside them). */
  JOBS_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** How long a finished job (its log, its uploaded file, an export's file) is kept: its purgeDateTime. */
  JOBS_RETENTION_HOURS: z.coerce.number().int().min(1).default(48),
  /** How often a worker forgets the jobs past their purgeDateTime and removes their files. */
  JOBS_PURGE_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /** Time allowed for one batch's request to the owning service. */
  JOBS_BATCH_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
  JOBS_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
});

export type JobsConfig = z.infer<typeof jobsConfigSchema>;
export const JOBS_CONFIG = Symbol('JOBS_CONFIG');
export const loadJobsConfig = (env = process.env): JobsConfig => loadConfig(jobsConfigSchema, env);
