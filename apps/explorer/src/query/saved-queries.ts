import { call } from '../api/http';

export interface SavedQuery { name: string; query: string; updatedAt?: string }

/** Saved queries live on the server, per user (`/savedqueries`, an extension of ours). */
export const savedQueries = {
  list: async () => (await call<{ value: SavedQuery[] }>('GET', '/savedqueries')).body.value,
  save: (name: string, query: string) => call<SavedQuery>('PUT', `/savedqueries/${encodeURIComponent(name)}`, { query }),
  remove: (name: string) => call('DELETE', `/savedqueries/${encodeURIComponent(name)}`),
};

/** A link that opens the explorer and runs the query. */
export function shareLink(query: string): string {
  const url = new URL(location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('query', query);
  return url.toString();
}
