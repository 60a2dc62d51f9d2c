/** `POST /query`: a query, or the continuation of one (the query text is then ignored, as in ADT). */
export interface QueryRequest {
  query?: string;
  continuationToken?: string;
  maxItemsPerPage: number;
}

export interface QueryReply {
  value: unknown[];
  /** `null` on the last page, as ADT sends it. */
  continuationToken: string | null;
  /** Query units of this page, for the `query-charge` header. */
  charge: number;
}
