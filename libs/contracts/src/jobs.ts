/** ADT's `ImportJob` (api-version 2023-10-31); timestamps as ADT prints them (`+00:00`, 7 digits). */
export type ImportJobStatus = 'notstarted' | 'running' | 'failed' | 'succeeded' | 'cancelling' | 'cancelled';
export type DeleteJobStatus = 'notstarted' | 'running' | 'failed' | 'succeeded';

export interface JobError {
  code: string;
  message: string;
  details?: { code: string; message: string; target?: string }[];
}

export interface ImportJob {
  id: string;
  inputBlobUri: string;
  outputBlobUri: string;
  status: ImportJobStatus;
  createdDateTime: string;
  lastActionDateTime: string;
  finishedDateTime?: string;
  purgeDateTime?: string;
  error?: JobError;
}

export interface DeleteJob {
  id: string;
  status: DeleteJobStatus;
  createdDateTime: string;
  finishedDateTime?: string;
  purgeDateTime?: string;
  error?: JobError;
}

/** Ours: an export of the graph in the import file's format. */
export interface ExportJob {
  id: string;
  status: ImportJobStatus;
  /** The query that selected the twins (all twins when absent). */
  query?: string;
  createdDateTime: string;
  lastActionDateTime: string;
  finishedDateTime?: string;
  purgeDateTime?: string;
  error?: JobError;
  /** Models, twins and relationships written so far. */
  counts?: { models: number; twins: number; relationships: number };
}

export type JobKind = 'import' | 'delete' | 'export';

export interface JobKey {
  id: string;
}

export interface CreateImportJobRequest {
  id: string;
  inputBlobUri?: unknown;
  outputBlobUri?: unknown;
}

export interface CreateDeleteJobRequest {
  /** From the `operation-id` header; generated when absent. */
  id?: string;
  timeoutInMinutes?: number;
}

export interface CreateExportJobRequest {
  id: string;
  query?: unknown;
}

export interface ListJobsRequest {
  maxItemsPerPage: number;
  cursor?: string;
}

export interface JobLogRequest {
  kind: 'import' | 'delete';
  id: string;
  /** Log lines after this sequence number (the `next` of the previous page). */
  after?: number;
  limit: number;
}

export interface JobLogReply {
  /** NDJSON lines, in order. */
  lines: string[];
  /** Pass back as `after` for the next page; absent at the end of a finished job's log. */
  next?: number;
}

/** Where a finished export's file is, relative to JOBS_STORAGE_DIR (the gateway streams it). */
export interface ExportOutputReply {
  path: string;
}

/** One line of an import file with its line number (1-based), handed to the owning service. */
export interface ImportLine<T = unknown> {
  line: number;
  value: T;
}

/**
 * A batch of an import job. `(jobId, batch)` is recorded with the batch's writes, in the same
 * transaction: the same batch sent again (a resumed job) is not written again, and is answered
 * with the first answer.
 */
export interface ImportBatchRequest<T = unknown> {
  jobId: string;
  batch: number;
  items: ImportLine<T>[];
}

export interface ImportLineError {
  line: number;
  code: string;
  message: string;
}

export interface ImportBatchReply {
  created: number;
  errors: ImportLineError[];
}

/** The outcome of the delete job, written in one transaction. */
export interface DeleteAllReply {
  models: number;
  twins: number;
  relationships: number;
}
