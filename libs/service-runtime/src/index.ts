export * from './advisory-leases';
export * from './service-foundation';
export * from './start-service';
