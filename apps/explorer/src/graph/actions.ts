import { adt, type Relationship } from '../api/adt';
import { relationshipQueries, sliceOfRows } from '../query/results';
import { RENDER_BUDGET, store } from '../store';
import { forceLayout } from './layouts';

export type Direction = 'out' | 'in' | 'both';

/** Runs `tasks` with at most `width` in flight (ADT Explorer uses 6 for its relationship queries). */
async function inParallel<T>(tasks: (() => Promise<T>)[], width = 6): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  }));
  return out;
}

/** Reads every page of a query; `onPage` sees each as it arrives and may stop early. */
export async function drain(query: string, asOf?: string, onPage?: (rows: Record<string, unknown>[]) => boolean): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const page of adt.query(query, asOf)) {
    rows.push(...page.value);
    if (onPage && !onPage(page.value)) break;
  }
  return rows;
}

export interface QueryRun { rows: Record<string, unknown>[]; twins: number; relationships: number; stoppedAtBudget: boolean; lastPageAt: number }

/**
 * Runs a query page by page, drawing twins as pages arrive, then the relationships between them;
 * past the render budget it stops and asks to narrow the query instead of freezing the page.
 */
export async function runQuery(query: string, opts: { overlay: boolean; asOf?: string; budget?: number }): Promise<QueryRun> {
  const budget = opts.budget ?? RENDER_BUDGET.twins;
  if (!opts.overlay) store.clear();
  let stoppedAtBudget = false;
  let drawn = 0;
  const rows = await drain(query, opts.asOf, (page) => {
    const slice = sliceOfRows(page);
    store.putTwins(slice.twins);
    store.putRelationships(slice.relationships);
    drawn += slice.twins.length;
    store.say(`Loading… ${drawn} twins`);
    if (drawn >= budget) { stoppedAtBudget = true; return false; }
    return true;
  });
  store.rows = rows;
  const ids = sliceOfRows(rows).twins.map((t) => t.$dtId);
  let relationships = 0;
  // Few twins: their relationships by id (IN lists). Many, in an instance not much bigger: every
  // relationship in pages of 1,000, keeping those between drawn twins (20 pages instead of 200 queries).
  const total = ids.length > 1000 ? Number((await drain('SELECT COUNT() FROM RELATIONSHIPS', opts.asOf))[0]?.COUNT ?? Infinity) : Infinity;
  if (total <= Math.max(50_000, ids.length * 5)) {
    let seen = 0;
    await drain('SELECT * FROM RELATIONSHIPS', opts.asOf, (page) => {
      const rels = page as unknown as Relationship[];
      relationships += rels.length - store.putRelationships(rels);
      seen += rels.length;
      store.say(`Loading relationships… ${seen}/${total}`);
      return true;
    });
  } else {
    const queries = relationshipQueries(ids);
    let done = 0;
    await inParallel(queries.map((q) => async () => {
      const rels = (await drain(q, opts.asOf)) as unknown as Relationship[];
      relationships += rels.length - store.putRelationships(rels);
      done++;
      if (done % 10 === 0) store.say(`Loading relationships… ${done}/${queries.length}`);
    }));
  }
  const lastPageAt = performance.now();
  store.timings = { lastPageAt };
  store.say(stoppedAtBudget
    ? `Showing the first ${drawn} twins: past the render budget of ${budget}. Narrow the query (WHERE, TOP) to see the rest.`
    : `${rows.length} rows, ${store.graph.order} twins and ${store.graph.size} relationships drawn.`);
  void forceLayout(store.graph);
  return { rows, twins: drawn, relationships, stoppedAtBudget, lastPageAt };
}

/** Double-click: the twin's relationships (out, in or both) and the twins at their other ends, `hops` deep. */
export async function expand(id: string, hops: number, direction: Direction): Promise<void> {
  let frontier = [id];
  const seen = new Set<string>(frontier);
  for (let h = 0; h < hops && frontier.length; h++) {
    const rels: Relationship[] = [];
    await inParallel(frontier.map((f) => async () => {
      if (direction !== 'in') rels.push(...await adt.listRelationships(f));
      if (direction !== 'out') {
        for (const inc of await adt.listIncoming(f)) rels.push(await adt.getRelationship(inc.$sourceId, inc.$relationshipId));
      }
    }));
    const others = [...new Set(rels.flatMap((r) => [r.$sourceId, r.$targetId]))].filter((t) => !store.graph.hasNode(t));
    const twins = await inParallel(others.map((t) => async () => adt.getTwin(t)));
    store.putTwins(twins);
    store.putRelationships(rels);
    frontier = [...new Set(rels.flatMap((r) => [r.$sourceId, r.$targetId]))].filter((t) => !seen.has(t));
    frontier.forEach((f) => seen.add(f));
  }
  store.say(`Expanded ${id}: ${store.graph.order} twins, ${store.graph.size} relationships.`);
  void forceLayout(store.graph, 1500);
}

export async function deleteTwin(id: string): Promise<void> {
  for (const rel of await adt.listRelationships(id)) await adt.deleteRelationship(id, rel.$relationshipId);
  for (const inc of await adt.listIncoming(id)) await adt.deleteRelationship(inc.$sourceId, inc.$relationshipId);
  await adt.deleteTwin(id);
  store.removeTwin(id);
}

export async function createRelationship(source: string, target: string, name: string, relId: string): Promise<void> {
  const rel = await adt.putRelationship(source, relId, { $targetId: target, $relationshipName: name });
  store.putRelationships([rel]);
  store.select({ kind: 'relationship', source, id: relId });
}
