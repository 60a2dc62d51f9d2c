/** `POST /query`: a query, or the continuation of one (the query text is then ignored, as in ADT). */
export interface QueryRequest {
  query?: string;
  continuationToken?: string;
  maxItemsPerPage: number;
}

export interface QueryReply {
  /**
   * The page's rows: one JSON array, as text. The query service has Postgres build it and the
   * gateway sends it on as it is, so no process parses and re-serialises the rows.
   */
  valueJson: string;
  /** `null` on the last page, as ADT sends it. */
  continuationToken: string | null;
  /** Query units of this page, for the `query-charge` header. */
  charge: number;
}
