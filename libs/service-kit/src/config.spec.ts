import { z } from 'zod';
import { baseConfigSchema, ConfigError, databaseConfigSchema, loadConfig } from './config';

describe('loadConfig', () => {
  const schema = baseConfigSchema.extend({ PORT: z.coerce.number().int().min(0).max(65535).default(8080) });

  it('applies defaults for an empty environment', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({ PORT: 8080, NATS_URL: 'nats://127.0.0.1:4222', EVENTS_STREAM: 'DT_EVENTS', NATS_NAMESPACE: '' });
  });

  it('fails fast naming the variable that is wrong', () => {
    expect(() => loadConfig(schema, { PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig(schema, { PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig(databaseConfigSchema, { DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig(schema, { EVENTS_SUBJECT_PREFIX: 'a..b' })).toThrow(/EVENTS_SUBJECT_PREFIX/);
  });
});
