import { useCallback, useEffect, useRef, useState } from 'react';
import { adt, type PatchOp } from '../api/adt';
import { ApiError } from '../api/http';
import { store, useStore } from '../store';
import { patchOf, undeclared, type PropertyDef } from './dtdl';
import { ValueField } from './fields';
import { HistoryChart } from './HistoryChart';

type Json = Record<string, unknown>;

/** A twin's or relationship's properties as its model describes them, saved as a JSON Patch with If-Match. */
export function Inspector() {
  const s = useStore();
  const sel = s.selection;
  const version = sel?.kind === 'twin' ? s.twinVersions.get(sel.id) ?? 0 : 0;
  const [original, setOriginal] = useState<Json | undefined>();
  const [draft, setDraft] = useState<Json>({});
  const [etag, setEtag] = useState<string | undefined>();
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [applied, setApplied] = useState<PatchOp[] | undefined>();
  const [chart, setChart] = useState<string | undefined>();
  /** ETags this inspector wrote or read: the live events of its own saves are not news. */
  const known = useRef(new Set<string>());
  const key = sel ? (sel.kind === 'twin' ? sel.id : `${sel.source}/${sel.id}`) : '';

  const load = useCallback(async () => {
    if (!sel) { setOriginal(undefined); return; }
    try {
      const entity: Json = sel.kind === 'twin' ? await adt.getTwin(sel.id) : await adt.getRelationship(sel.source, sel.id);
      setOriginal(entity);
      setDraft(structuredClone(entity));
      setEtag(entity.$etag as string | undefined);
      if (entity.$etag) known.current.add(entity.$etag as string);
      setError('');
      if (sel.kind === 'twin') store.putTwins([entity as never]);
    } catch (err) {
      setOriginal(undefined);
      setError((err as Error).message);
    }
  }, [key]);

  useEffect(() => { setMessage(''); setApplied(undefined); setChart(undefined); void load(); }, [load]);
  // A live event changed the twin: refresh, unless there are unsaved edits.
  // Events of the Explorer's own saves carry the ETag it already has: nothing to say then.
  useEffect(() => {
    if (version === 0 || !original || sel?.kind !== 'twin') return;
    const edited = JSON.stringify(original) !== JSON.stringify(draft);
    void adt.getTwin(sel.id).then((current) => {
      if (current.$etag && known.current.has(current.$etag)) return;
      if (!edited) void load().then(() => setMessage('Refreshed: the twin changed.'));
      else setMessage('This twin changed elsewhere; saving will report a conflict. Reload to see the change.');
    }, () => undefined);
  }, [version]);

  if (!sel) return <aside className="panel inspector" aria-label="Inspector"><p className="muted">Select a twin or a relationship.</p></aside>;
  if (!original) return <aside className="panel inspector" aria-label="Inspector"><p className="error">{error || 'Loading…'}</p></aside>;

  let props: PropertyDef[] = [];
  let components: { name: string; props: PropertyDef[] }[] = [];
  let modelMissing = false;
  let flagged: string[] = [];
  if (sel.kind === 'twin') {
    const modelId = (original.$metadata as Json).$model as string;
    modelMissing = !s.definitions.has(modelId);
    const flat = s.flatModel(modelId);
    props = flat.properties;
    components = flat.components.map((c) => ({ name: c.name, props: s.flatModel(c.model).properties }));
    flagged = undeclared(original, flat);
  } else {
    const source = s.graph.hasNode(sel.source) ? s.graph.getNodeAttribute(sel.source, 'model') : undefined;
    const def = source ? s.flatModel(source).relationships.find((r) => r.name === original.$relationshipName) : undefined;
    props = def?.properties ?? [];
    flagged = Object.keys(original).filter((k) => !k.startsWith('$') && !props.some((p) => p.name === k));
  }

  const patch: PatchOp[] = [
    ...patchOf(original, draft, props.map((p) => p.name)),
    ...components.flatMap((c) => patchOf((original[c.name] ?? {}) as Json, (draft[c.name] ?? {}) as Json, c.props.map((p) => p.name), `/${c.name}`)),
  ];

  async function save() {
    if (!sel || patch.length === 0) return;
    try {
      const reply = sel.kind === 'twin' ? await adt.patchTwin(sel.id, patch, etag) : await adt.patchRelationship(sel.source, sel.id, patch, etag);
      if (reply.etag) known.current.add(reply.etag);
      setApplied(patch);
      await load();
      setMessage(`Saved. New ETag ${reply.etag ?? ''}`.trim());
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setError(`Conflict: the ${sel.kind} changed since it was read (ETag ${etag}). Reload to see the current values, then edit again.`);
      else setError(err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message);
    }
  }

  const row = (p: PropertyDef, value: unknown, set: (v: unknown) => void, base: string) => (
    <div className="field" key={`${base}/${p.name}`}>
      <label htmlFor={`prop-${base}/${p.name}`} title={JSON.stringify(p.schema)}>{p.name}{value === undefined && <span className="muted"> (unset)</span>}{!p.writable && <span className="muted"> (read-only)</span>}</label>
      <ValueField id={`prop-${base}/${p.name}`} label={p.name} schema={p.schema} value={value} onChange={set} />
      {sel.kind === 'twin' && p.schema.kind === 'primitive' && ['double', 'float', 'integer', 'long'].includes(p.schema.type) && base === '' &&
        <button type="button" aria-label={`History of ${p.name}`} onClick={() => setChart(chart === p.name ? undefined : p.name)}>History</button>}
    </div>
  );
  const setTop = (name: string) => (v: unknown) => setDraft((d) => { const n = { ...d }; if (v === undefined) delete n[name]; else n[name] = v; return n; });
  const setIn = (c: string, name: string) => (v: unknown) => setDraft((d) => { const comp = { ...(d[c] as Json ?? {}) }; if (v === undefined) delete comp[name]; else comp[name] = v; return { ...d, [c]: comp }; });

  return (
    <aside className="panel inspector" aria-label="Inspector">
      <h2>{sel.kind === 'twin' ? sel.id : `${original.$sourceId} —${String(original.$relationshipName)}→ ${String(original.$targetId)}`}</h2>
      <p className="muted">{sel.kind === 'twin' ? (original.$metadata as Json).$model as string : sel.id} · ETag <code>{etag}</code></p>
      {modelMissing && <p className="error">The model of this twin is not loaded.</p>}
      {flagged.length > 0 && <p className="warning">Not in the model: {flagged.map((f) => <code key={f}>{f}={JSON.stringify(original[f])} </code>)}</p>}
      <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
        {props.map((p) => row(p, draft[p.name], setTop(p.name), ''))}
        {components.map((c) => (
          <fieldset key={c.name} className="component"><legend>{c.name} (component)</legend>
            {c.props.map((p) => row(p, (draft[c.name] as Json | undefined)?.[p.name], setIn(c.name, p.name), c.name))}
          </fieldset>
        ))}
        <div className="row">
          <button type="submit" disabled={patch.length === 0}>Save ({patch.length} change{patch.length === 1 ? '' : 's'})</button>
          <button type="button" onClick={() => { setError(''); void load(); }}>Reload</button>
        </div>
      </form>
      {chart && sel.kind === 'twin' && <HistoryChart twin={sel.id} property={chart} />}
      {message && <p className="ok" role="status">{message}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {applied && <details open><summary>Applied patch</summary><pre data-testid="applied-patch">{JSON.stringify(applied, null, 1)}</pre></details>}
    </aside>
  );
}
