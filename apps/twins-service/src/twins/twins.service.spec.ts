import type { DomainError } from '@odt/contracts';
import type { ModelCatalog } from '@odt/model-catalog';
import { QueryFailedError, type EntityManager } from 'typeorm';
import type { TwinEvents } from './twin-events';
import type { TwinDocument } from './twin-document';
import type { TwinRow, TwinsRepository } from './twins.repository';
import { isForeignKeyViolation, TwinsService } from './twins.service';

const row: TwinRow = {
  id: 'room1',
  model_id: 'dtmi:x:Room;1',
  etag: '6f1c2a9e-4a57-4a4c-8e43-4f4a0a3c2b11',
  document: {
    thermostat: { setPoint: 20, $metadata: { $lastUpdateTime: 't' } },
    $metadata: { $model: 'dtmi:x:Room;1', $lastUpdateTime: 't' },
  } as TwinDocument,
};

/** pg's DatabaseError for `DELETE` of a row that a RESTRICT foreign key still references. */
const fkViolation = () => new QueryFailedError('DELETE FROM twins.twins WHERE id = $1', ['room1'], Object.assign(
  new Error('update or delete on table "twins" violates foreign key constraint "relationships_source_fk" on table "relationships"'),
  { code: '23503', constraint: 'relationships_source_fk', table: 'relationships' },
));

function service(repo: Partial<TwinsRepository>): TwinsService {
  const tx = {} as EntityManager;
  const fullRepo = {
    transaction: <T>(work: (t: EntityManager) => Promise<T>) => work(tx),
    lock: async () => row,
    get: async () => row,
    ...repo,
  } as unknown as TwinsRepository;
  const events = { deleted: async () => undefined } as unknown as TwinEvents;
  return new TwinsService(fullRepo, {} as ModelCatalog, events, { TWIN_MAX_BYTES: 32 * 1024 });
}

async function failure(p: Promise<unknown>): Promise<DomainError> {
  return p.then(() => { throw new Error('expected a failure'); }, (err: DomainError) => err);
}

describe('TwinsService.delete', () => {
  it('maps a foreign-key violation (the twin still has relationships) to 400 RelationshipsNotDeleted with ADT\'s message', async () => {
    const twins = service({ delete: async () => { throw fkViolation(); } });
    const err = await failure(twins.delete('room1', undefined));
    expect(err.code).toBe('RelationshipsNotDeleted');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^Twin room1 has active relationships\. Cannot delete a twin unless all the relationships are deleted\./);
  });

  it('passes other database failures through unchanged', async () => {
    const other = new QueryFailedError('DELETE', [], Object.assign(new Error('deadlock detected'), { code: '40P01' }));
    const err = await failure(service({ delete: async () => { throw other; } }).delete('room1', undefined));
    expect(err).toBe(other);
  });

  it('refuses a malformed id before touching the database', async () => {
    const err = await failure(service({ lock: async () => { throw new Error('must not be called'); } }).delete('a/b', undefined));
    expect(err.code).toBe('InvalidArgument');
  });
});

describe('isForeignKeyViolation', () => {
  it('recognises the pg error code on TypeORM\'s error and on the raw driver error', () => {
    expect(isForeignKeyViolation(fkViolation())).toBe(true);
    expect(isForeignKeyViolation({ driverError: { code: '23503' } })).toBe(true);
    expect(isForeignKeyViolation({ code: '23505' })).toBe(false);
    expect(isForeignKeyViolation(null)).toBe(false);
  });
});

describe('TwinsService.getComponent', () => {
  it('returns the component object with the twin\'s ETag', async () => {
    expect(await service({}).getComponent('room1', 'thermostat')).toEqual({
      etag: `W/"${row.etag}"`,
      component: { setPoint: 20, $metadata: { $lastUpdateTime: 't' } },
    });
  });

  it.each(['nope', '$metadata', '__proto__', 'constructor'])('answers ComponentNotFound for %s', async (name) => {
    const err = await failure(service({}).getComponent('room1', name));
    expect(err.code).toBe('ComponentNotFound');
    expect(err.message).toMatch(new RegExp(`^room1 does not have component .+ Please verify that the component path is correct\\.`));
  });

  it('answers DigitalTwinNotFound for a missing twin', async () => {
    expect((await failure(service({ get: async () => undefined }).getComponent('gone', 'thermostat'))).code).toBe('DigitalTwinNotFound');
  });
});
