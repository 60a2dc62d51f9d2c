import type { Random } from './random';

/**
 * Random valid queries in which every user-chosen text (aliases, property and relationship names,
 * literals, AS names, model ids) contains a unique marker, so a test can check that none of it
 * reaches the SQL text.
 */
export class QueryGenerator {
  readonly markers: string[] = [];

  constructor(private readonly random: Random) {}

  query(): string {
    const r = this.random;
    const shape = r.pick(['twins', 'join', 'match', 'relationships', 'aggregate'] as const);
    if (shape === 'relationships') {
      const alias = this.marker();
      return `SELECT ${r.chance(0.5) ? '*' : alias} FROM RELATIONSHIPS ${alias}${this.where([alias], [])}${this.orderBy([alias])}`;
    }
    if (shape === 'twins' || shape === 'aggregate') {
      const alias = this.marker();
      if (shape === 'aggregate') {
        const group = `${alias}.${this.marker()}`;
        const select = `${group} AS ${this.marker()}, COUNT() AS ${this.marker()}, ${r.pick(['SUM', 'AVG', 'MIN', 'MAX'])}(${alias}.${this.marker()}) AS ${this.marker()}`;
        return `SELECT ${select} FROM DIGITALTWINS ${alias}${this.where([alias], [alias])} GROUP BY ${group}`;
      }
      const select = r.chance(0.4) ? '*' : this.projections([alias]);
      return `SELECT ${r.chance(0.2) ? `TOP(${r.int(1, 50)}) ` : ''}${select} FROM DIGITALTWINS ${alias}${this.where([alias], [alias])}${this.orderBy([alias])}`;
    }
    const twins = Array.from({ length: r.int(2, 4) }, () => this.marker());
    const relationships: string[] = [];
    let from: string;
    if (shape === 'join') {
      from = `DIGITALTWINS ${twins[0]}`;
      for (let i = 1; i < twins.length; i++) {
        const relationship = r.chance(0.5) ? this.marker() : undefined;
        if (relationship) relationships.push(relationship);
        from += ` JOIN ${twins[i]} RELATED ${twins[r.int(0, i - 1)]}.${this.marker()}${relationship ? ` ${relationship}` : ''}`;
      }
    } else {
      from = `DIGITALTWINS MATCH (${twins[0]})`;
      for (let i = 1; i < twins.length; i++) from += `${this.edge(relationships)}(${twins[i]})`;
    }
    const anchor = `${r.pick(twins)}.$dtId = ${this.stringLiteral()}`;
    const filter = r.chance(0.8) ? ` AND (${this.condition([...twins, ...relationships], twins, 0)})` : '';
    return `SELECT ${this.projections([...twins, ...relationships])} FROM ${from} WHERE ${anchor}${filter}`;
  }

  private edge(relationships: string[]): string {
    const r = this.random;
    const names = r.chance(0.6) ? `:${Array.from({ length: r.int(1, 3) }, () => this.marker()).join('|')}` : '';
    const multiHop = r.chance(0.3);
    const variable = !multiHop && r.chance(0.5) ? this.marker() : '';
    if (variable) relationships.push(variable);
    const hops = multiHop ? r.pick(['*2', '*..3', '*1..3']) : '';
    return r.pick([`-[${variable}${names}${hops}]->`, `<-[${variable}${names}${hops}]-`, `-[${variable}${names}${hops}]-`]);
  }

  private projections(aliases: string[]): string {
    const r = this.random;
    return Array.from({ length: r.int(1, 3) }, () => {
      const alias = r.pick(aliases);
      return r.chance(0.5) ? `${this.path(alias)} AS ${this.marker()}` : `${alias} AS ${this.marker()}`;
    }).join(', ');
  }

  private where(aliases: string[], twins: string[]): string {
    return this.random.chance(0.8) ? ` WHERE ${this.condition(aliases, twins, 0)}` : '';
  }

  private condition(aliases: string[], twins: string[], depth: number): string {
    const r = this.random;
    if (depth < 3 && r.chance(0.35)) {
      const terms = Array.from({ length: r.int(2, 3) }, () => this.condition(aliases, twins, depth + 1));
      return `(${terms.join(r.pick([' AND ', ' OR ']))})`;
    }
    if (depth < 3 && r.chance(0.1)) return `NOT ${this.condition(aliases, twins, depth + 1)}`;
    const path = this.path(r.pick(aliases));
    switch (r.int(0, 6)) {
      case 0:
        return `${path} ${r.pick(['=', '!=', '<', '>', '<=', '>='])} ${this.literal()}`;
      case 1:
        return `${path} ${r.pick(['IN', 'NIN'])} [${Array.from({ length: r.int(0, 4) }, () => this.literal()).join(', ')}]`;
      case 2:
        return `${r.pick(['IS_DEFINED', 'IS_NULL', 'IS_BOOL', 'IS_NUMBER', 'IS_STRING', 'IS_OBJECT', 'IS_PRIMITIVE'])}(${path})`;
      case 3:
        return `${r.pick(['STARTSWITH', 'ENDSWITH', 'CONTAINS'])}(${path}, ${this.stringLiteral()})`;
      case 4:
        return `ARRAY_CONTAINS(${path}, ${this.literal()})`;
      case 5:
        return twins.length > 0 ? `IS_OF_MODEL(${r.pick(twins)}, ${this.stringLiteral()}${r.chance(0.5) ? ', exact' : ''})` : `${path} = 1`;
      default:
        return `${path} = ${this.stringLiteral()}`;
    }
  }

  private orderBy(aliases: string[]): string {
    if (!this.random.chance(0.3)) return '';
    return ` ORDER BY ${this.path(this.random.pick(aliases))} ${this.random.pick(['ASC', 'DESC', ''])}`.trimEnd();
  }

  private path(alias: string): string {
    const r = this.random;
    const system = ['$dtId', '$etag', '$metadata.$model', '$metadata.$lastUpdateTime', '$relationshipId', '$sourceId', '$targetId', '$relationshipName'];
    if (r.chance(0.2)) return `${alias}.${r.pick(system)}`;
    return `${alias}.${Array.from({ length: r.int(1, 3) }, () => (r.chance(0.1) ? `[[${this.marker()}]]` : this.marker())).join('.')}`;
  }

  private literal(): string {
    const r = this.random;
    switch (r.int(0, 4)) {
      case 0:
        return this.stringLiteral();
      case 1:
        return String(r.chance(0.5) ? r.int(-1000, 1000) : (r.next() - 0.5) * 1e6);
      case 2:
        return r.pick(['true', 'false', 'null']);
      default:
        return this.stringLiteral();
    }
  }

  /** A string literal around a marker, with quotes, SQL and unicode in it (escaped for the query). */
  stringLiteral(): string {
    const noise = this.random.pick(["'", '"', "'; DROP TABLE twins.twins; --", '$1', '\\', '☃𝄞', 'é', '%_', '\n', '$$', ')']);
    const text = `${this.marker()}${noise}`;
    return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }

  private marker(): string {
    const marker = `Zq${this.random.int(0, 36 ** 6).toString(36).padStart(6, '0')}x`;
    this.markers.push(marker);
    return marker;
  }
}
