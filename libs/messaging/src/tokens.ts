/** The process's one NATS connection. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** The service's root pino logger, as messaging code sees it. */
export const MESSAGING_LOGGER = Symbol('MESSAGING_LOGGER');
/** The subject namespace string (see `namespaced`). */
export const NATS_NAMESPACE = Symbol('NATS_NAMESPACE');
