export * from './bootstrap';
export * from './config';
export * from './database';
export * from './health';
export * from './logger';
export * from './service-kit.module';
