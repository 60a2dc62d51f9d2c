import { QueryFailedError } from 'typeorm';
import { isForeignKeyViolation } from './twins.service';

/** pg's DatabaseError for `DELETE` of a row that a RESTRICT foreign key still references, as TypeORM wraps it. */
const fkViolation = () => new QueryFailedError('DELETE FROM twins.twins WHERE id = $1', ['room1'], Object.assign(
  new Error('update or delete on table "twins" violates foreign key constraint "relationships_source_fk" on table "relationships"'),
  { code: '23503', constraint: 'relationships_source_fk', table: 'relationships' },
));

// The delete paths themselves run against the real database in test/e2e/relationships.e2e-spec.ts
// and test/integration/graph-integrity.int-spec.ts.
describe('isForeignKeyViolation', () => {
  it('recognises the pg error code on TypeORM\'s error and on the raw driver error', () => {
    expect(isForeignKeyViolation(fkViolation())).toBe(true);
    expect(isForeignKeyViolation({ driverError: { code: '23503' } })).toBe(true);
    expect(isForeignKeyViolation({ code: '23505' })).toBe(false);
    expect(isForeignKeyViolation(null)).toBe(false);
  });
});
