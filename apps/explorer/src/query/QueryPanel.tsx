import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/http';
import { runQuery } from '../graph/actions';
import { store } from '../store';
import { QueryEditor, type QueryEditorHandle } from './QueryEditor';
import { errorOffset } from './results';
import { savedQueries, shareLink, type SavedQuery } from './saved-queries';
import { agoText, positionOf, secondsAgo, SLIDER_STEPS } from './time-slider';

const DEFAULT_QUERY = 'SELECT * FROM DIGITALTWINS';
/** The slider re-runs the query once it rests this long (a drag or held arrow key is one run, not fifty). */
const SLIDER_SETTLE_MS = 250;

/** The query console: editor, Run, overlay, saved queries (server-side), share link, and a time slider (asOf). */
export function QueryPanel() {
  const editor = useRef<QueryEditorHandle>(null);
  const [overlay, setOverlay] = useState(false);
  const [running, setRunning] = useState(false);
  const [saved, setSaved] = useState<SavedQuery[]>([]);
  const [savedError, setSavedError] = useState('');
  const [name, setName] = useState('');
  const [asOfOn, setAsOfOn] = useState(false);
  const [position, setPosition] = useState(() => positionOf(3600));
  /** The moment the graph shows, after a run as of the past. */
  const [shownAsOf, setShownAsOf] = useState<string | undefined>();
  const sliderMoved = useRef(false);
  const [link, setLink] = useState('');
  const initial = new URLSearchParams(location.search).get('query') ?? localStorage.getItem('odt-last-query') ?? DEFAULT_QUERY;

  const refreshSaved = () => savedQueries.list().then((v) => { setSaved(v); setSavedError(''); }, (e: Error) => setSavedError(e.message));
  useEffect(() => {
    void refreshSaved();
    if (new URLSearchParams(location.search).has('query')) void run();
  }, []);

  // Moving the slider, or switching "As of" on or off, re-runs the current query at that moment.
  useEffect(() => {
    if (!sliderMoved.current) return;
    const timer = setTimeout(() => void run(), SLIDER_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [position, asOfOn]);
  const touchSlider = () => { sliderMoved.current = true; };

  async function run(at = asOfOn ? new Date(Date.now() - secondsAgo(position) * 1000).toISOString() : undefined) {
    const text = editor.current!.text();
    localStorage.setItem('odt-last-query', text);
    editor.current!.showError(undefined);
    setRunning(true);
    setShownAsOf(undefined);
    store.say('Running…');
    try {
      await runQuery(text, { overlay, asOf: at });
      setShownAsOf(at);
    } catch (err) {
      const message = (err as Error).message;
      store.say('', err instanceof ApiError ? `${err.code}: ${message}` : message);
      if (err instanceof ApiError && err.code === 'SqlQueryError') editor.current!.showError(errorOffset(message, text));
    } finally {
      setRunning(false);
      store.changed();
    }
  }

  async function save() {
    if (!name.trim()) return;
    try {
      await savedQueries.save(name.trim(), editor.current!.text());
      setName('');
      await refreshSaved();
    } catch (err) { setSavedError((err as Error).message); }
  }

  return (
    <section className="panel query-panel" aria-label="Query">
      <QueryEditor ref={editor} initial={initial} onRun={() => void run()} />
      <div className="row">
        <button type="button" onClick={() => void run()} disabled={running} title="Ctrl+Enter">Run</button>
        <label><input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} /> Overlay into the graph</label>
        <button type="button" onClick={() => { const l = shareLink(editor.current!.text()); setLink(l); void navigator.clipboard?.writeText(l).catch(() => undefined); }}>Share link</button>
      </div>
      {link && <input className="share-link" readOnly value={link} aria-label="Share link" onFocus={(e) => e.target.select()} />}
      <fieldset className="row">
        <legend>History</legend>
        <label><input type="checkbox" checked={asOfOn} onChange={(e) => { touchSlider(); setAsOfOn(e.target.checked); }} /> As of</label>
        <input type="range" min={0} max={SLIDER_STEPS} step={1} value={position} disabled={!asOfOn} aria-label="Time ago"
          aria-valuetext={agoText(secondsAgo(position))}
          onChange={(e) => { touchSlider(); setPosition(Number(e.target.value)); }} />
        <span data-testid="as-of">{asOfOn ? agoText(secondsAgo(position)) : 'now'}</span>
        {shownAsOf && <output className="muted" aria-label="Graph shown as of">Showing {new Date(shownAsOf).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })}</output>}
      </fieldset>
      <fieldset>
        <legend>Saved queries</legend>
        <div className="row">
          <input placeholder="Name" aria-label="Saved query name" value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') void save(); }} />
          <button type="button" onClick={() => void save()}>Save</button>
        </div>
        {savedError && <p className="error">{savedError}</p>}
        <ul className="saved">
          {saved.map((q) => (
            <li key={q.name}>
              <button type="button" className="link" title={q.query} onClick={() => { editor.current!.setText(q.query); void run(); }}>{q.name}</button>
              <button type="button" aria-label={`Delete saved query ${q.name}`} onClick={() => void savedQueries.remove(q.name).then(refreshSaved)}>×</button>
            </li>
          ))}
        </ul>
      </fieldset>
    </section>
  );
}
