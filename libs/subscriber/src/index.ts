export * from './events';
export * from './process-once';
export * from './subscriber';
