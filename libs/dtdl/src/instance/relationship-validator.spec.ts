import { compileRelationshipValidator } from './relationship-validator';

describe('compileRelationshipValidator', () => {
  const validate = compileRelationshipValidator({
    name: 'contains',
    target: 'dtmi:ex:Room;1',
    properties: { since: { kind: 'primitive', type: 'date' } },
  });

  it('accepts declared properties with valid values and ignores $-members', () => {
    expect(validate({ $relationshipId: 'r1', $targetId: 't', $relationshipName: 'contains', since: '2024-05-01' })).toEqual([]);
  });

  it('reports invalid values and undeclared properties', () => {
    expect(validate({ since: 'yesterday', weight: 2 })).toEqual([
      { path: '/since', message: 'Expected an RFC 3339 date (YYYY-MM-DD), got "yesterday".' },
      { path: '/weight', message: "'weight' is not a property of relationship 'contains'." },
    ]);
  });
});
