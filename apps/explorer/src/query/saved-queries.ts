import { api } from '../api/http';

export interface SavedQuery { name: string; query: string; updatedAt?: string }

/** Saved queries live on the server, per user (`/savedqueries`, an extension of ours). */
export const savedQueries = {
  list: async () => (await api.transport.json<{ value: SavedQuery[] }>('/savedqueries')).value,
  save: (name: string, query: string) => api.transport.json<SavedQuery>(`/savedqueries/${encodeURIComponent(name)}`, { method: 'PUT', json: { query } }),
  remove: (name: string) => api.transport.send(`/savedqueries/${encodeURIComponent(name)}`, { method: 'DELETE' }),
};

/** A link that opens the explorer and runs the query. */
export function shareLink(query: string): string {
  const url = new URL(location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('query', query);
  return url.toString();
}
