export * from './etag';
export * from './ids';
export * from './json-patch';
export * from './cursor';
export * from './relationship-document';
export * from './relationship-errors';
export * from './import-line';
