import type { DeleteJob, ExportJob, ImportJob, JobError, JobKind } from '@odt/contracts';
import type { Caller } from '@odt/contracts';

/** Where an import stands: the last line whose batch is committed, and what the file said so far. */
export interface ImportCheckpoint {
  /** Last line (1-based) fully handled; a resumed job reads on from the next. */
  line: number;
  /** The section that line is in. */
  section: Section;
  /** Last batch number committed (models are batch 0). */
  batch: number;
  modelsDone: boolean;
}

export type Section = 'None' | 'Header' | 'Models' | 'Twins' | 'Relationships';
export const SECTION_ORDER: Section[] = ['None', 'Header', 'Models', 'Twins', 'Relationships'];

export interface JobCounts {
  models: number;
  twins: number;
  relationships: number;
  errors: number;
}

export interface JobSettings {
  batchSize: number;
  batchBytes: number;
  timeoutInMinutes?: number;
}

export interface JobRow {
  kind: JobKind;
  id: string;
  status: ImportJob['status'];
  input_uri: string | null;
  output_uri: string | null;
  query: string | null;
  settings: JobSettings;
  caller: Caller | null;
  checkpoint: ImportCheckpoint | null;
  counts: JobCounts | null;
  error: JobError | null;
  cancel_requested: boolean;
  created: string;
  last_action: string;
  finished: string | null;
  purge: string | null;
  seq: string;
}

/** ADT prints job times with a `+00:00` offset and 7 fractional digits. */
const ADT_TIME = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"0+00:00"')`;

export const JOB_COLUMNS = `kind, id, status, input_uri, output_uri, query, settings, caller, checkpoint, counts, error, cancel_requested, seq,
  ${ADT_TIME('created_at')} AS created, ${ADT_TIME('last_action_at')} AS last_action, ${ADT_TIME('finished_at')} AS finished, ${ADT_TIME('purge_at')} AS purge`;

const times = (row: JobRow) => ({
  createdDateTime: row.created,
  ...(row.finished ? { finishedDateTime: row.finished } : {}),
  ...(row.purge ? { purgeDateTime: row.purge } : {}),
  ...(row.error ? { error: row.error } : {}),
});

export function toImportJob(row: JobRow): ImportJob {
  return { id: row.id, inputBlobUri: row.input_uri ?? '', outputBlobUri: row.output_uri ?? '', status: row.status, ...times(row), lastActionDateTime: row.last_action };
}

export function toDeleteJob(row: JobRow): DeleteJob {
  return { id: row.id, status: row.status as DeleteJob['status'], ...times(row) };
}

export function toExportJob(row: JobRow): ExportJob {
  return {
    id: row.id, status: row.status, ...(row.query ? { query: row.query } : {}), ...times(row), lastActionDateTime: row.last_action,
    ...(row.counts ? { counts: { models: row.counts.models, twins: row.counts.twins, relationships: row.counts.relationships } } : {}),
  };
}
