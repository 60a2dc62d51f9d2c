/** One page of a listing or a query, as the API sent it. */
export interface Page<T> {
  value: T[];
  /** The cursor of the next page; absent on the last one. */
  continuationToken?: string;
  /** Query units of this page (`query-charge`), for queries. */
  charge?: number;
}

/**
 * Items of every page, fetched one page at a time as they are consumed (memory holds one page).
 * `byPage()` gives the pages themselves, e.g. to show the query charge or to resume from a token.
 */
export class PagedIterable<T> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: (continuationToken: string | undefined) => Promise<Page<T>>) {}

  async *byPage(options: { continuationToken?: string } = {}): AsyncGenerator<Page<T>> {
    let token = options.continuationToken;
    do {
      const page = await this.fetchPage(token);
      yield page;
      token = page.continuationToken;
    } while (token);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.byPage()) yield* page.value;
  }

  /** Every item, in memory: for small listings. */
  async toArray(options: { maxItems?: number } = {}): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) {
      all.push(item);
      if (options.maxItems !== undefined && all.length >= options.maxItems) break;
    }
    return all;
  }
}

/** The `continuationToken` of a `nextLink` (the client re-sends its own request with it, on its own base URL). */
export function tokenOfNextLink(nextLink: string | null | undefined): string | undefined {
  if (!nextLink) return undefined;
  return new URL(nextLink, 'http://x/').searchParams.get('continuationToken') ?? undefined;
}
