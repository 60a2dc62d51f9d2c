export * from './as-of';
export * from './twin-history';
export * from './relationship-history';
export * from './twin-as-of';
