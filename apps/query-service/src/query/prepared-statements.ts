import { LRUCache } from 'lru-cache';

/** How to run one statement on one connection. */
export interface StatementPlan {
  /** The prepared statement's name; none: an unnamed statement, parsed and planned for this run only. */
  name?: string;
  /** Close the connection after this run (it holds its limit of prepared statements). */
  retire: boolean;
}

/**
 * Which compiled statements run as named (prepared) statements. The SQL text depends on the
 * query's shape only (every value is a parameter), so queries of one shape share a statement:
 * Postgres parses it once per connection, and plans it once too when the generic plan costs no
 * more than the custom ones (`plan_cache_mode` auto). Bounded on both sides:
 * - a statement is named from its second run, so one-off shapes never stay on a connection;
 * - a connection holds at most `perConnection` statements; when a new one would exceed that, it
 *   runs unnamed and the connection is closed after it (its statements go with it).
 */
export class PreparedStatements {
  /** SQL text → statement name, or false when it has run once; the least recently run are forgotten. */
  private readonly names: LRUCache<string, string | false>;
  private readonly prepared = new WeakMap<object, Set<string>>();
  private next = 0;

  constructor(private readonly perConnection: number, remembered = 4 * perConnection) {
    this.names = new LRUCache({ max: remembered });
  }

  plan(sql: string, connection: object): StatementPlan {
    const known = this.names.get(sql);
    if (known === undefined) {
      this.names.set(sql, false);
      return { retire: false };
    }
    // Never reused, so a name always means the same text (node-postgres refuses otherwise).
    const name = known || `odt_q${(this.next++).toString(36)}`;
    if (known === false) this.names.set(sql, name);
    let onConnection = this.prepared.get(connection);
    if (!onConnection) {
      onConnection = new Set();
      this.prepared.set(connection, onConnection);
    }
    if (onConnection.has(name)) return { name, retire: false };
    if (onConnection.size >= this.perConnection) return { retire: true };
    onConnection.add(name);
    return { name, retire: false };
  }
}
