import { useState } from 'react';
import { adt, type Relationship, type Twin } from '../api/adt';
import { ApiError, api } from '../api/http';
import { store } from '../store';
import { drain as drainQuery } from '../graph/actions';
import { parseGraphFile, relationshipBody, twinBody, writeGraphFile } from './ndjson';

interface LogLine { time: string; level: 'Info' | 'Error'; text: string }

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
  const a = document.createElement('a');
  a.href = url; a.download = name; a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}


/**
 * Import an NDJSON graph file (ADT's import-job format) through the ordinary API, with progress
 * and a log, until the Jobs API exists; export the drawn graph or the whole instance.
 */
/** Twins and relationships an import job brought in that the panel draws afterwards. */
const DRAW_AFTER_IMPORT = 2_000;

export function TransferPanel() {
  const [log, setLog] = useState<LogLine[]>([]);
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>();
  const say = (level: LogLine['level'], text: string) => setLog((l) => [...l, { time: new Date().toISOString(), level, text }]);

  /** Through the Jobs API (`PUT /jobs/imports/{id}` with the file as the body), when the server has it. */
  async function importAsJob(file: File, text: string, graph: ReturnType<typeof parseGraphFile>): Promise<boolean> {
    const id = `explorer-${Date.now().toString(36)}`;
    let job;
    try {
      job = await api.jobs.imports.upload(id, text);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'RouteNotFound' || err.status === 405)) return false;
      throw err;
    }
    say('Info', `${file.name}: import job ${job.id} ${job.status}`);
    setProgress({ done: 0, total: 1 });
    while (!['succeeded', 'failed', 'cancelled'].includes(job.status)) {
      await new Promise((r) => setTimeout(r, 500));
      job = await api.jobs.imports.get(id);
    }
    for await (const line of api.jobs.imports.output(id)) {
      const entry = line as { logType?: string; details?: unknown };
      say(entry.logType === 'Error' ? 'Error' : 'Info', JSON.stringify(entry.details ?? line));
    }
    setProgress({ done: 1, total: 1 });
    say(job.status === 'succeeded' ? 'Info' : 'Error', `job ${job.status}${job.error ? `: ${job.error.message}` : ''}`);
    await store.loadModels();
    await drawImported(graph);
    return true;
  }

  /** What a job imported, drawn as the server now has it (up to the render budget; past it, query). */
  async function drawImported(graph: ReturnType<typeof parseGraphFile>) {
    if (graph.twins.length + graph.relationships.length > DRAW_AFTER_IMPORT) {
      say('Info', `more than ${DRAW_AFTER_IMPORT} twins and relationships: run a query to draw them`);
      return;
    }
    const found = async <T,>(read: () => Promise<T>) => { try { return await read(); } catch { return undefined; } };
    const twins = (await Promise.all(graph.twins.map((t) => found(() => adt.getTwin(t.$dtId))))).filter((t): t is Twin => t !== undefined);
    store.putTwins(twins);
    const rels = (await Promise.all(graph.relationships.map((r) => found(() => adt.getRelationship(r.$sourceId, r.$relationshipId))))).filter((r): r is Relationship => r !== undefined);
    store.putRelationships(rels);
    store.changed();
  }

  async function importFile(file: File | undefined) {
    if (!file) return;
    setLog([]);
    let graph;
    const text = await file.text();
    try { graph = parseGraphFile(text); } catch (err) { say('Error', `${file.name}: ${(err as Error).message}`); return; }
    try {
      if (await importAsJob(file, text, graph)) return;
    } catch (err) { say('Error', `import job: ${err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message}`); return; }
    // No Jobs API on this server: the same file through the ordinary API, one call per item.
    const total = (graph.models.length ? 1 : 0) + graph.twins.length + graph.relationships.length;
    let done = 0; let failed = 0;
    const step = () => setProgress({ done: ++done, total });
    setProgress({ done: 0, total });
    say('Info', `${file.name}: ${graph.models.length} models, ${graph.twins.length} twins, ${graph.relationships.length} relationships`);
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try { await fn(); } catch (err) { failed++; say('Error', `${what}: ${err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message}`); }
      step();
    };
    if (graph.models.length) {
      const known = new Set(store.models.keys());
      const fresh = graph.models.filter((m) => !known.has(String(m['@id'])));
      await attempt('models', () => fresh.length ? adt.addModels(fresh) : Promise.resolve());
      await store.loadModels();
      say('Info', `models: ${fresh.length} added, ${graph.models.length - fresh.length} already there`);
    }
    const twins: Twin[] = [];
    for (const t of graph.twins) await attempt(`twin ${t.$dtId}`, async () => { twins.push(await adt.putTwin(t.$dtId, twinBody(t))); });
    store.putTwins(twins);
    const rels: Relationship[] = [];
    for (const r of graph.relationships) await attempt(`relationship ${r.$sourceId}/${r.$relationshipId}`, async () => { rels.push(await adt.putRelationship(r.$sourceId, r.$relationshipId, relationshipBody(r))); });
    store.putRelationships(rels);
    store.changed();
    say(failed ? 'Error' : 'Info', `finished: ${total - failed} succeeded, ${failed} failed`);
  }

  async function exportGraph(whole: boolean) {
    try {
      let twins: Twin[]; let relationships: Relationship[];
      if (whole) {
        twins = (await drainQuery('SELECT * FROM DIGITALTWINS')) as Twin[];
        relationships = (await drainQuery('SELECT * FROM RELATIONSHIPS')) as Relationship[];
      } else {
        twins = store.graph.mapNodes((_n, a) => a.twin);
        relationships = store.graph.mapEdges((_e, a) => a.relationship);
      }
      const modelIds = new Set(twins.map((t) => t.$metadata.$model));
      const models = whole ? [...store.definitions.values()] : [...store.definitions.entries()].filter(([id]) => [...modelIds].some((m) => store.flatModel(m).ancestry.includes(id) || store.flatModel(m).components.some((c) => c.model === id))).map(([, d]) => d);
      download(whole ? 'instance.ndjson' : 'graph.ndjson', writeGraphFile({ models, twins, relationships }));
      say('Info', `exported ${models.length} models, ${twins.length} twins, ${relationships.length} relationships`);
    } catch (err) { say('Error', (err as Error).message); }
  }

  return (
    <section className="panel transfer-panel" aria-label="Import and export">
      <fieldset>
        <legend>Import</legend>
        <p className="muted">An NDJSON file in the import-job format (sections Header, Models, Twins, Relationships).</p>
        <label className="button">Import a file<input type="file" accept=".ndjson,.jsonl,.json" className="visually-hidden" data-testid="import-file" onChange={(e) => void importFile(e.target.files?.[0])} /></label>
        {progress && <progress max={progress.total} value={progress.done} aria-label="Import progress">{progress.done}/{progress.total}</progress>}
        {progress && <span data-testid="import-progress"> {progress.done}/{progress.total}</span>}
      </fieldset>
      <fieldset>
        <legend>Export</legend>
        <button type="button" onClick={() => void exportGraph(false)}>Export the drawn graph</button>
        <button type="button" onClick={() => void exportGraph(true)}>Export the whole instance</button>
      </fieldset>
      <ol className="log" aria-label="Import log">
        {log.map((l, i) => <li key={i} className={l.level === 'Error' ? 'error' : ''}><time>{l.time.slice(11, 19)}</time> {l.level}: {l.text}</li>)}
      </ol>
    </section>
  );
}
