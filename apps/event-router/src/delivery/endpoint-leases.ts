import { AdvisoryLeases } from '@odt/service-runtime';
import type { Logger } from 'pino';

/**
 * Which endpoints this replica delivers to: one lease per endpoint (a Postgres session advisory
 * lock, see `AdvisoryLeases`), replicas counted by the application name `odt-event-router:<stream>`.
 */
export class EndpointLeases extends AdvisoryLeases {
  constructor(databaseUrl: string, namespace: string, logger: Logger, onLost: () => void) {
    super(databaseUrl, 'odt-event-router', namespace, logger, onLost);
  }
}
