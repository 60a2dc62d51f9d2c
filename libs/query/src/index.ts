export type * from './ast';
export { compileQuery, type CompiledQuery, type CompileOptions, type QueryKind } from './compiler/compile-query';
export { pageJson, takePage, type CompiledRow, type QueryPage } from './compiler/page';
export { DEFAULT_AS_OF_SOURCES, DEFAULT_QUERY_TABLES, type AsOfSources, type QueryTables } from './compiler/query-tables';
export { ContinuationTokens, type QueryPosition } from './continuation-tokens';
export { DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits';
export { parseQuery } from './parser/parse-query';
export { PROPERTY_INDEX_LIMITS } from './compiler/property-index-limits';
export { fromTemplate, literalsFitTemplate, queryShape, shapeTemplate, type QueryShape, type ShapeTemplate } from './compiler/query-shape';
