export * from './errors';
export * from './events';
export * from './flattened';
export * from './models';
export * from './query';
export * from './relationships';
export * from './subjects';
export * from './twins';
