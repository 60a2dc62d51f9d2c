import Graph from 'graphology';
import { useEffect, useRef, useState } from 'react';
import Sigma from 'sigma';
import { store, useStore } from '../store';
import { forceLayout } from '../graph/layouts';

type Kind = 'extends' | 'component' | 'relationship';
const COLOURS: Record<Kind, string> = { extends: '#555', component: '#59a14f', relationship: '#e15759' };

/** The models as a graph: extends, components and relationship targets, each shown or not. */
export function ModelGraph() {
  const s = useStore();
  const host = useRef<HTMLDivElement>(null);
  const [kinds, setKinds] = useState<Record<Kind, boolean>>({ extends: true, component: true, relationship: true });
  useEffect(() => {
    const g = new Graph({ multi: true });
    for (const id of s.definitions.keys()) g.addNode(id, { label: id.replace(/^dtmi:/, ''), x: Math.random(), y: Math.random(), size: 5, color: store.colourOf(id) });
    const edge = (from: string, to: string | undefined, kind: Kind, label: string) => {
      if (!to || !kinds[kind]) return;
      if (!g.hasNode(to)) g.addNode(to, { label: to, x: Math.random(), y: Math.random(), size: 3, color: '#ccc' });
      g.addDirectedEdge(from, to, { color: COLOURS[kind], size: 1.5, label, type: 'arrow' });
    };
    for (const [id, m] of s.definitions) {
      for (const p of [m.extends ?? []].flat()) edge(id, typeof p === 'string' ? p : undefined, 'extends', 'extends');
      for (const c of [m.contents ?? []].flat() as Record<string, unknown>[]) {
        const types = [c['@type']].flat();
        if (types.includes('Component')) edge(id, typeof c.schema === 'string' ? c.schema : undefined, 'component', String(c.name));
        if (types.includes('Relationship')) edge(id, typeof c.target === 'string' ? c.target : undefined, 'relationship', String(c.name));
      }
    }
    // The models reload (an upload, an import) while this tab may be hidden: a container of no size then,
    // drawn once the tab shows it again.
    const r = new Sigma(g, host.current!, { renderEdgeLabels: true, defaultEdgeType: 'arrow', labelRenderedSizeThreshold: 0, allowInvalidContainer: true });
    const resized = new ResizeObserver(() => { r.resize(); r.refresh(); });
    resized.observe(host.current!);
    void forceLayout(g as never, 1000);
    return () => { resized.disconnect(); r.kill(); };
  }, [s.definitions, kinds]);
  return (
    <div className="model-graph">
      <div className="row small">
        {(Object.keys(kinds) as Kind[]).map((k) => (
          <label key={k}><input type="checkbox" checked={kinds[k]} onChange={(e) => setKinds({ ...kinds, [k]: e.target.checked })} /> <span style={{ color: COLOURS[k] }}>{k}</span></label>
        ))}
      </div>
      <div className="sigma small" ref={host} aria-label="Model graph" />
    </div>
  );
}
