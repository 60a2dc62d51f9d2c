export type * from './ast';
export { compileQuery, type CompiledQuery, type CompileOptions, type QueryKind } from './compiler/compile-query';
export { pageJson, takePage, type CompiledRow, type QueryPage } from './compiler/page';
export { DEFAULT_QUERY_TABLES, type QueryTables } from './compiler/query-tables';
export { DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits';
export { parseQuery } from './parser/parse-query';
