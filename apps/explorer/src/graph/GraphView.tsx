import { useEffect, useRef, useState } from 'react';
import Sigma from 'sigma';
import { store, useStore, type EdgeAttrs, type NodeAttrs } from '../store';
import { deleteTwin, expand, type Direction } from './actions';
import { forceLayout, layeredLayout } from './layouts';
import { Minimap } from './Minimap';

type TwinSigma = Sigma<NodeAttrs, EdgeAttrs>;

/**
 * The twin graph: sigma.js (WebGL) over the store's graphology graph. Click selects, double-click
 * expands, "Link from here" then a click on another twin draws a relationship.
 */
export function GraphView({ onLink }: { onLink: (source: string, target: string) => void }) {
  const s = useStore();
  const container = useRef<HTMLDivElement>(null);
  const sigma = useRef<TwinSigma | null>(null);
  const [renderer, setRenderer] = useState<TwinSigma | null>(null);
  const [hops, setHops] = useState(1);
  const [direction, setDirection] = useState<Direction>('both');
  const [highlight, setHighlight] = useState('');
  const [linkFrom, setLinkFrom] = useState<string | undefined>();
  const state = useRef({ hops, direction, linkFrom, highlight });
  state.current = { hops, direction, linkFrom, highlight };

  useEffect(() => {
    const renderer = new Sigma(store.graph, container.current!, {
      defaultEdgeType: 'arrow',
      hideEdgesOnMove: true,
      hideLabelsOnMove: true,
      renderEdgeLabels: false,
      enableEdgeEvents: true,
      labelRenderedSizeThreshold: 5,
      zIndex: true,
      nodeReducer: (node, data) => {
        const out: Record<string, unknown> = { ...data };
        const sel = store.selection;
        const filter = store.filter.toLowerCase();
        const hl = state.current.highlight.toLowerCase();
        if (data.hidden || (filter && !data.label.toLowerCase().includes(filter) && !node.toLowerCase().includes(filter))) out.hidden = true;
        if (hl && (data.label.toLowerCase().includes(hl) || node.toLowerCase().includes(hl))) { out.highlighted = true; out.zIndex = 1; }
        if (sel?.kind === 'twin' && sel.id === node) { out.highlighted = true; out.size = data.size * 1.6; out.zIndex = 2; }
        if (state.current.linkFrom === node) out.color = '#000';
        if ((store.flashing.get(node) ?? 0) > Date.now()) { out.color = '#ff1744'; out.size = data.size * 2.2; out.zIndex = 3; out.forceLabel = true; }
        return out;
      },
      edgeReducer: (edge, data) => {
        const sel = store.selection;
        const [src, tgt] = store.graph.extremities(edge);
        if (store.graph.getNodeAttribute(src, 'hidden') || store.graph.getNodeAttribute(tgt, 'hidden') || data.hidden) return { ...data, hidden: true };
        if (sel?.kind === 'relationship' && edge === `${sel.source}\u0000${sel.id}`) return { ...data, color: '#d62728', size: 3, zIndex: 1 };
        return data;
      },
    });
    sigma.current = renderer;
    setRenderer(renderer);
    renderer.on('afterRender', () => {
      if (store.timings.lastPageAt !== undefined && store.timings.firstFrameAt === undefined) store.timings.firstFrameAt = performance.now();
    });
    renderer.on('clickNode', ({ node }) => {
      const from = state.current.linkFrom;
      if (from && from !== node) {
        setLinkFrom(undefined);
        onLink(from, node);
        return;
      }
      store.select({ kind: 'twin', id: node });
    });
    renderer.on('clickEdge', ({ edge }) => {
      const rel = store.graph.getEdgeAttribute(edge, 'relationship');
      store.select({ kind: 'relationship', source: rel.$sourceId, id: rel.$relationshipId });
    });
    renderer.on('clickStage', () => store.select(undefined));
    renderer.on('doubleClickNode', (e) => {
      e.preventSigmaDefault();
      void expand(e.node, state.current.hops, state.current.direction).catch((err: Error) => store.say('', err.message));
    });
    (globalThis as unknown as { odtSigma: TwinSigma }).odtSigma = renderer;
    const unsubscribe = store.subscribe(() => renderer.scheduleRefresh());
    return () => { unsubscribe(); renderer.kill(); sigma.current = null; };
  }, [onLink]);

  useEffect(() => { sigma.current?.scheduleRefresh(); }, [highlight, linkFrom]);

  const selected = s.selection?.kind === 'twin' ? s.selection.id : undefined;
  const props = [...new Set([...s.models.keys()].flatMap((m) => store.flatModel(m).properties.filter((p) => p.schema.kind === 'primitive').map((p) => p.name)))].sort();
  const fit = () => { void sigma.current?.getCamera().animatedReset({ duration: 300 }); };
  const hideSelected = () => { if (selected) { store.graph.setNodeAttribute(selected, 'hidden', true); store.select(undefined); } };
  const showAll = () => { store.graph.forEachNode((n) => store.graph.removeNodeAttribute(n, 'hidden')); store.changed(); };
  const del = async () => {
    if (!selected || !confirm(`Delete twin ${selected} and its relationships?`)) return;
    try { await deleteTwin(selected); store.say(`Deleted ${selected}.`); } catch (err) { store.say('', (err as Error).message); }
  };

  return (
    <section className="graph-panel" aria-label="Twin graph">
      <div className="toolbar" role="toolbar" aria-label="Graph tools">
        <button type="button" onClick={() => void forceLayout(store.graph, 3000)}>Force layout</button>
        <button type="button" onClick={() => void layeredLayout(store.graph).then(fit)}>Layered layout</button>
        <button type="button" onClick={fit}>Fit</button>
        <label>Label <select value={s.displayProperty} onChange={(e) => store.setDisplayProperty(e.target.value)}>
          <option value="$dtId">$dtId</option>
          {props.map((p) => <option key={p} value={p}>{p}</option>)}
        </select></label>
        <label>Filter <input size={10} value={s.filter} onChange={(e) => { store.filter = e.target.value; store.changed(); }} /></label>
        <label>Highlight <input size={10} value={highlight} onChange={(e) => setHighlight(e.target.value)} /></label>
        <label>Hops <input type="number" min={1} max={5} value={hops} onChange={(e) => setHops(Number(e.target.value))} style={{ width: '3em' }} /></label>
        <label>Direction <select value={direction} onChange={(e) => setDirection(e.target.value as Direction)}>
          <option value="both">in + out</option><option value="out">out</option><option value="in">in</option>
        </select></label>
        <button type="button" disabled={!selected} onClick={() => selected && void expand(selected, hops, direction).catch((err: Error) => store.say('', err.message))}>Expand</button>
        <button type="button" disabled={!selected} onClick={() => setLinkFrom(linkFrom ? undefined : selected)}>{linkFrom ? 'Cancel link' : 'Link from here'}</button>
        <button type="button" disabled={!selected} onClick={hideSelected}>Hide</button>
        <button type="button" onClick={showAll}>Show all</button>
        <button type="button" disabled={!selected} onClick={() => void del()}>Delete</button>
      </div>
      {linkFrom && <p className="hint" role="status">Pick the target twin for a relationship from {linkFrom} (click it in the graph, or choose it in the inspector).</p>}
      <div className="sigma" ref={container} data-testid="graph" />
      <Minimap sigma={renderer as unknown as Sigma | null} />
      <p className="counts" aria-live="polite">{s.graph.order} twins · {s.graph.size} relationships</p>
    </section>
  );
}
