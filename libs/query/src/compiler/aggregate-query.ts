import type { AggregateCall, OrderItem } from '../ast';
import { AggregateSource } from './aggregate-source';
import { fromAndWhere, type CompilationContext } from './compilation-context';
import { typed } from './predicates';
import { checkDistinctOutputNames, omittedWhenUndefined, outputName, ROW_PART_SEPARATOR } from './projection';
import { jsonSortOrder } from './sort-columns';

/**
 * Extension: GROUP BY, and SUM/AVG/MIN/MAX next to COUNT(). Three levels, each simple: `source`
 * projects the grouped and aggregated properties of every matching row, `grouped` groups and
 * aggregates them, the outer query builds rows keyed like projections and orders them. One page.
 */
export function compileAggregateQuery(context: CompilationContext): { sql: string } {
  const { query, scope, params } = context;
  const items = query.select.kind === 'items' ? query.select.items : [];
  checkDistinctOutputNames(items);
  const source = new AggregateSource(query.groupBy, scope);
  const aggregates: string[] = [];
  const aggregated = (call: AggregateCall): string => {
    const sql = aggregateValue(call, source);
    if (!aggregates.includes(sql)) aggregates.push(sql);
    return `grouped.v${aggregates.indexOf(sql)}`;
  };
  const outputs = items.map((item) => ({
    name: outputName(item),
    ref: item.kind === 'path' ? grouped(source.group(item.path)) : aggregated(item.aggregate),
    alwaysDefined: item.kind === 'aggregate' && item.aggregate.fn === 'COUNT',
  }));
  const order = [
    ...query.orderBy.map((item) => orderRef(item, source, aggregated)),
    // then every grouped value, so groups always come in the same order
    ...source.groupRefs.map((ref) => jsonSortOrder(grouped(ref), false)),
  ];
  const row = outputs.map(({ name, ref, alwaysDefined }) => {
    const key = params.add(name, 'text');
    return alwaysDefined ? `jsonb_build_object(${key}, ${ref})` : omittedWhenUndefined(key, ref);
  });
  const groupColumns = source.groupRefs.map((ref) => `${ref} AS ${column(ref)}`);
  const lines = [
    `SELECT (${row.join(`${ROW_PART_SEPARATOR}|| `)})::text AS row,`,
    `  '[]' AS key`,
    'FROM (',
    `  SELECT ${[...groupColumns, ...aggregates.map((sql, index) => `${sql} AS v${index}`)].join(', ')}`,
    '  FROM (',
    `    SELECT ${source.selectList(params)}`,
    ...fromAndWhere(context).map((line) => `    ${line.replace(/\n/g, '\n    ')}`),
    '  ) AS source',
    ...(groupColumns.length > 0 ? [`  GROUP BY ${source.groupRefs.join(', ')}`] : []),
    ') AS grouped',
    ...(order.length > 0 ? [`ORDER BY ${order.join(', ')}`] : []),
    ...(query.top === undefined ? [] : [`LIMIT ${params.add(query.top, 'bigint')}`]),
  ];
  return { sql: lines.join('\n') };
}

/** The aggregate as jsonb; NULL (so the key is left out) when no value qualified. */
function aggregateValue(call: AggregateCall, source: AggregateSource): string {
  if (call.fn === 'COUNT' || !call.path) return 'to_jsonb(count(*))';
  const input = source.input(call.path);
  switch (call.fn) {
    case 'SUM':
    case 'AVG':
      // Numbers only: other JSON types do not add up, as in ADT's comparisons.
      return `to_jsonb(${call.fn.toLowerCase()}(${typed(input, 'number', 'numeric')}))`;
    case 'MIN':
    case 'MAX':
      // Over the same total order as ORDER BY, so mixed types still have a minimum.
      return `(array_agg(${input} ORDER BY ${jsonSortOrder(input, call.fn === 'MAX')}) FILTER (WHERE ${input} IS NOT NULL))[1]`;
  }
}

function orderRef(item: OrderItem, source: AggregateSource, aggregated: (call: AggregateCall) => string): string {
  const { target, descending } = item;
  return jsonSortOrder(target.kind === 'path' ? grouped(source.group(target.path)) : aggregated(target.aggregate), descending);
}

/** `source.g0` → `grouped.g0`. */
function grouped(sourceRef: string): string {
  return `grouped.${column(sourceRef)}`;
}

function column(ref: string): string {
  return ref.slice(ref.indexOf('.') + 1);
}
