export * from './service-foundation';
export * from './start-service';
