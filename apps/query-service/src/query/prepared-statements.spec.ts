import { PreparedStatements } from './prepared-statements';

describe('PreparedStatements', () => {
  it('runs a statement unnamed the first time, then under one name on every connection', () => {
    const statements = new PreparedStatements(10);
    const [a, b] = [{}, {}];
    expect(statements.plan('SELECT 1', a)).toEqual({ retire: false });
    const { name } = statements.plan('SELECT 1', a);
    expect(name).toMatch(/^odt_q/);
    expect(statements.plan('SELECT 1', a)).toEqual({ name, retire: false });
    expect(statements.plan('SELECT 1', b)).toEqual({ name, retire: false });
    statements.plan('SELECT 2', a);
    expect(statements.plan('SELECT 2', a).name).not.toBe(name);
  });

  it('retires a connection that would hold more than its limit, running that statement unnamed', () => {
    const statements = new PreparedStatements(2);
    const connection = {};
    for (const sql of ['SELECT 1', 'SELECT 2', 'SELECT 3']) statements.plan(sql, connection);
    expect(statements.plan('SELECT 1', connection).retire).toBe(false);
    expect(statements.plan('SELECT 2', connection).retire).toBe(false);
    expect(statements.plan('SELECT 3', connection)).toEqual({ retire: true });
    // the ones it holds still run by name
    expect(statements.plan('SELECT 1', connection)).toEqual({ name: expect.any(String), retire: false });
    expect(statements.plan('SELECT 3', {})).toEqual({ name: expect.any(String), retire: false });
  });

  it('forgets statements not run lately, and names them afresh when they come back', () => {
    const statements = new PreparedStatements(10, 2);
    const connection = {};
    statements.plan('SELECT 1', connection);
    const first = statements.plan('SELECT 1', connection).name;
    for (const sql of ['SELECT 2', 'SELECT 3']) statements.plan(sql, connection);
    expect(statements.plan('SELECT 1', connection)).toEqual({ retire: false });
    const second = statements.plan('SELECT 1', connection).name;
    expect(second).toMatch(/^odt_q/);
    expect(second).not.toBe(first);
  });
});
