import type { LogEntry } from '../jobs/jobs.repository';

/** One line of ADT's import log: `{"timestamp","jobId","jobType","logType","details"}`. */
export function logEntry(entry: string, jobId: string, logType: 'Info' | 'Error', details: Record<string, unknown>, jobType = 'Import'): LogEntry {
  return { entry, line: JSON.stringify({ timestamp: new Date().toISOString(), jobId, jobType, logType, details }) };
}
