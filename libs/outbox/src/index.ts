export * from './outbox';
export * from './outbox-relay';
export * from './outbox-relay.module';
export * from './import-ledger';
export * from './outbox-wake';
