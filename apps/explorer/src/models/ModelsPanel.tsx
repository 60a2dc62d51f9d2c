import { useEffect, useState } from 'react';
import { adt } from '../api/adt';
import { ApiError } from '../api/http';
import { store, useStore } from '../store';
import { ModelGraph } from './ModelGraph';

/** Reads DTDL files (one interface or an array each); errors name the file. */
export async function modelsOfFiles(files: File[]): Promise<Record<string, unknown>[]> {
  const models: Record<string, unknown>[] = [];
  for (const f of files) {
    if (!/\.(json|dtdl)$/i.test(f.name)) continue;
    try {
      const parsed = JSON.parse(await f.text());
      models.push(...[parsed].flat());
    } catch {
      throw new Error(`${f.webkitRelativePath || f.name} is not JSON`);
    }
  }
  return models;
}

/** Models: upload files or a folder (a whole ontology in one call), list, source, decommission, delete, create a twin. */
export function ModelsPanel() {
  const s = useStore();
  const [search, setSearch] = useState('');
  const [source, setSource] = useState<string | undefined>();
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [twinFor, setTwinFor] = useState<string | undefined>();
  const [twinId, setTwinId] = useState('');
  const [showGraph, setShowGraph] = useState(false);

  useEffect(() => { void store.loadModels().catch((e: Error) => setError(e.message)); }, []);

  async function upload(list: FileList | null) {
    if (!list?.length) return;
    setError('');
    try {
      const models = await modelsOfFiles([...list]);
      setBusy(`Uploading ${models.length} models…`);
      await adt.addModels(models);
      await store.loadModels();
      setBusy(`Uploaded ${models.length} models.`);
    } catch (err) {
      setBusy('');
      setError(err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message);
    }
  }

  async function act(what: string, fn: () => Promise<unknown>) {
    setError('');
    try { await fn(); await store.loadModels(); setBusy(what); } catch (err) { setError(err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message); }
  }

  async function createTwin(model: string) {
    const flat = store.flatModel(model);
    const twin: Record<string, unknown> = { $metadata: { $model: model } };
    for (const c of flat.components) twin[c.name] = { $metadata: {} };
    await act(`Created twin ${twinId}.`, async () => {
      const created = await adt.putTwin(twinId, twin, true);
      store.putTwins([created]);
      store.select({ kind: 'twin', id: created.$dtId });
      setTwinFor(undefined);
      setTwinId('');
    });
  }

  const models = [...s.models.values()].filter((m) => m.id.toLowerCase().includes(search.toLowerCase())).sort((a, b) => a.id.localeCompare(b.id));
  return (
    <section className="panel models-panel" aria-label="Models">
      <div className="row">
        <label className="button">Upload files<input type="file" multiple accept=".json,.dtdl" className="visually-hidden" data-testid="upload-files" onChange={(e) => void upload(e.target.files)} /></label>
        <label className="button">Upload folder<input type="file" multiple className="visually-hidden" data-testid="upload-folder" {...{ webkitdirectory: '', directory: '' }} onChange={(e) => void upload(e.target.files)} /></label>
        <button type="button" onClick={() => void store.loadModels()}>Refresh</button>
        <button type="button" onClick={() => setShowGraph(!showGraph)}>{showGraph ? 'Hide model graph' : 'Model graph'}</button>
      </div>
      {busy && <p className="ok" role="status">{busy}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {showGraph && <ModelGraph />}
      <input placeholder="Search models" aria-label="Search models" value={search} onChange={(e) => setSearch(e.target.value)} />
      <ul className="model-list">
        {models.map((m) => (
          <li key={m.id}>
            <span className="swatch" style={{ background: store.colourOf(m.id) }} />
            <span className={m.decommissioned ? 'muted' : ''} title={m.id}>{m.displayName?.en ?? m.id}{m.decommissioned ? ' (decommissioned)' : ''}</span>
            <div className="row small">
              <button type="button" aria-label={`Create a twin of ${m.id}`} onClick={() => setTwinFor(twinFor === m.id ? undefined : m.id)}>New twin</button>
              <button type="button" aria-label={`Source of ${m.id}`} onClick={() => setSource(source === m.id ? undefined : m.id)}>Source</button>
              {!m.decommissioned && <button type="button" aria-label={`Decommission ${m.id}`} onClick={() => void act(`Decommissioned ${m.id}.`, () => adt.decommissionModel(m.id))}>Decommission</button>}
              <button type="button" aria-label={`Delete ${m.id}`} onClick={() => confirm(`Delete model ${m.id}?`) && void act(`Deleted ${m.id}.`, () => adt.deleteModel(m.id))}>Delete</button>
            </div>
            {twinFor === m.id && (
              <form className="row" onSubmit={(e) => { e.preventDefault(); void createTwin(m.id); }}>
                <input autoFocus placeholder="Twin id" aria-label={`Id of the new ${m.id} twin`} value={twinId} onChange={(e) => setTwinId(e.target.value)} required />
                <button type="submit">Create</button>
              </form>
            )}
            {source === m.id && <pre className="source">{JSON.stringify(m.model, null, 2)}</pre>}
          </li>
        ))}
      </ul>
    </section>
  );
}
