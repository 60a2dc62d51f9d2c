import { useState } from 'react';
import { ApiError } from '../api/http';
import { allowedRelationships } from '../inspector/dtdl';
import { store } from '../store';
import { createRelationship } from './actions';

/** Draws a relationship between two picked twins, offering only the relationships the source's model allows to the target. */
export function LinkDialog({ source, target, onClose }: { source: string; target: string; onClose: () => void }) {
  const g = store.graph;
  const allowed = allowedRelationships(store.flatModel(g.getNodeAttribute(source, 'model')), store.flatModel(g.getNodeAttribute(target, 'model')));
  const [name, setName] = useState(allowed[0]?.name ?? '');
  const [id, setId] = useState(`${source}-${allowed[0]?.name ?? 'rel'}-${target}`);
  const [error, setError] = useState('');
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-label="New relationship">
      <form onSubmit={(e) => {
        e.preventDefault();
        createRelationship(source, target, name, id).then(onClose, (err: Error) => setError(err instanceof ApiError ? `${err.code}: ${err.message}` : err.message));
      }}>
        <h3>Relationship {source} → {target}</h3>
        {allowed.length === 0 ? <p className="error">The model of {source} allows no relationship to {target}.</p> : (
          <>
            <label>Name <select autoFocus value={name} onChange={(e) => { setName(e.target.value); setId(`${source}-${e.target.value}-${target}`); }}>
              {allowed.map((r) => <option key={r.name}>{r.name}</option>)}
            </select></label>
            <label>Relationship id <input value={id} onChange={(e) => setId(e.target.value)} required /></label>
          </>
        )}
        {error && <p className="error" role="alert">{error}</p>}
        <div className="row">
          <button type="submit" disabled={allowed.length === 0}>Create relationship</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
