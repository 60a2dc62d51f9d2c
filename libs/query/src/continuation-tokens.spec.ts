import { ContinuationTokens } from './continuation-tokens';

describe('ContinuationTokens', () => {
  const tokens = new ContinuationTokens('a-secret-of-sixteen+');
  const position = { query: "SELECT * FROM DIGITALTWINS WHERE name = 'x'", after: ['room-7', 3], returned: 100 };

  it('round-trips a position', () => {
    expect(tokens.read(tokens.issue(position))).toEqual(position);
  });

  it.each([
    ['a changed body', (t: string) => `${Buffer.from(JSON.stringify(['SELECT 1', [], 0])).toString('base64url')}.${t.split('.')[1]}`],
    ['a changed signature', (t: string) => `${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`],
    ['no signature', (t: string) => t.split('.')[0]],
    ['garbage', () => "'; DROP TABLE twins.twins; --"],
    ['an extra segment', (t: string) => `${t}.x`],
  ])('refuses %s with 400 BadRequest', (_name, tamper) => {
    expect(() => tokens.read(tamper(tokens.issue(position)))).toThrow(expect.objectContaining({ code: 'BadRequest' }));
  });

  it('round-trips the moment of an asOf query', () => {
    const asOfPosition = { ...position, asOf: '2026-01-01T00:00:00.000Z' };
    expect(tokens.read(tokens.issue(asOfPosition))).toEqual(asOfPosition);
    expect(tokens.read(tokens.issue(position))).not.toHaveProperty('asOf');
  });

  it('refuses a token signed with another key', () => {
    expect(() => new ContinuationTokens('another-secret-16chars').read(tokens.issue(position))).toThrow(expect.objectContaining({ code: 'BadRequest' }));
  });
});
