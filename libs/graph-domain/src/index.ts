export * from './etag';
export * from './ids';
export * from './json-patch';
export * from './cursor';
export * from './import-line';
