import { authEnv, mintToken } from '../support/auth';
import { callGateway } from '../support/gateway';
import { startSystem, type TestSystem } from '../support/system';

/** The Explorer's saved queries: kept on the server, per user, in Postgres (schema `explorer`). */
let system: TestSystem;
let alice: string;
let bob: string;

beforeAll(async () => {
  system = await startSystem({ without: ['models', 'twins', 'relationships', 'router', 'history'], overrides: authEnv() });
  alice = await mintToken({ sub: 'alice', roles: ['DataReader'] });
  bob = await mintToken({ sub: 'bob', roles: ['DataOwner'] });
}, 60_000);

afterAll(() => system?.stop());

const as = (token: string, method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body, { authorization: `Bearer ${token}` });

describe('saved queries', () => {
  it("keeps each user's queries apart, by name, replacing on a second save", async () => {
    expect((await as(alice, 'PUT', '/savedqueries/rooms', { query: 'SELECT * FROM DIGITALTWINS' })).body).toMatchObject({ name: 'rooms', query: 'SELECT * FROM DIGITALTWINS' });
    expect((await as(alice, 'PUT', '/savedqueries/rooms', { query: "SELECT * FROM DIGITALTWINS WHERE $dtId = 'r1'" })).status).toBe(200);
    expect((await as(alice, 'PUT', `/savedqueries/${encodeURIComponent('hot floors (2nd)')}`, { query: 'SELECT TOP(5) FROM DIGITALTWINS' })).status).toBe(200);
    expect((await as(bob, 'PUT', '/savedqueries/rooms', { query: 'SELECT COUNT() FROM DIGITALTWINS' })).status).toBe(200);
    const mine = (await as(alice, 'GET', '/savedqueries')).body.value;
    expect(mine.map((q: { name: string; query: string }) => [q.name, q.query])).toEqual([['hot floors (2nd)', 'SELECT TOP(5) FROM DIGITALTWINS'], ['rooms', "SELECT * FROM DIGITALTWINS WHERE $dtId = 'r1'"]]);
    expect((await as(bob, 'GET', '/savedqueries')).body.value.map((q: { query: string }) => q.query)).toEqual(['SELECT COUNT() FROM DIGITALTWINS']);
  });

  it("deletes only the caller's own, and says when there is none", async () => {
    expect((await as(bob, 'DELETE', '/savedqueries/rooms')).status).toBe(204);
    const again = await as(bob, 'DELETE', '/savedqueries/rooms');
    expect([again.status, again.code]).toEqual([404, 'SavedQueryNotFound']);
    expect((await as(alice, 'GET', '/savedqueries')).body.value).toHaveLength(2);
  });

  it('refuses a save without a query, or with a name it cannot keep', async () => {
    for (const [name, body] of [['empty', {}], ['blank', { query: '  ' }], ['a%01b', { query: 'SELECT * FROM DIGITALTWINS' }], ['x'.repeat(101), { query: 'SELECT * FROM DIGITALTWINS' }]] as const) {
      const res = await as(alice, 'PUT', `/savedqueries/${name}`, body);
      expect([name, res.status, res.code]).toEqual([name, 400, 'InvalidArgument']);
    }
  });
});
