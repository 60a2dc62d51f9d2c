import Graph from 'graphology';
import { useSyncExternalStore } from 'react';
import type { ModelData, Relationship, Twin } from './api/adt';
import { adt } from './api/adt';
import { flattenModel, type FlatModel } from './inspector/dtdl';

export type Selection =
  | { kind: 'twin'; id: string }
  | { kind: 'relationship'; source: string; id: string }
  | undefined;

export interface NodeAttrs { label: string; x: number; y: number; size: number; color: string; model: string; twin: Twin; hidden?: boolean; highlighted?: boolean }
export interface EdgeAttrs { label: string; size: number; color: string; relationship: Relationship; hidden?: boolean }

/** Twins drawn before the explorer asks to narrow the query (sigma's comfortable range). */
export const RENDER_BUDGET = { twins: 20_000, relationships: 100_000 };

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#2ca02c'];

/** The explorer's shared state: the twin graph (graphology), the models, the selection, messages. */
export class ExplorerStore {
  readonly graph = new Graph<NodeAttrs, EdgeAttrs>({ multi: true, type: 'directed', allowSelfLoops: true });
  models = new Map<string, ModelData>();
  definitions = new Map<string, Record<string, unknown>>();
  selection: Selection;
  rows: Record<string, unknown>[] = [];
  status = '';
  error = '';
  displayProperty = localStorage.getItem('odt-display-property') ?? '$dtId';
  flashing = new Map<string, number>();
  filter = '';
  /** Bumped by the inspector's readers when a twin changed elsewhere (live events). */
  twinVersions = new Map<string, number>();
  /** Timings of the last query run (performance.now()): its last page, and the first frame drawn after it. */
  timings: { lastPageAt?: number; firstFrameAt?: number } = {};
  /** ForceAtlas2 workers running now. */
  layoutsRunning = 0;
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private readonly colours = new Map<string, string>();
  private readonly flat = new Map<string, FlatModel>();

  subscribe = (fn: () => void) => { this.listeners.add(fn); return () => { this.listeners.delete(fn); }; };
  snapshot = () => this.version;
  changed(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  say(status: string, error = ''): void {
    this.status = status;
    this.error = error;
    this.changed();
  }

  colourOf(model: string): string {
    let c = this.colours.get(model);
    if (!c) {
      c = PALETTE[this.colours.size % PALETTE.length];
      this.colours.set(model, c);
    }
    return c;
  }

  async loadModels(): Promise<void> {
    const list = await adt.listModels();
    this.models = new Map(list.map((m) => [m.id, m]));
    this.definitions = new Map(list.filter((m) => m.model).map((m) => [m.id, m.model!]));
    this.flat.clear();
    this.changed();
  }

  flatModel(id: string): FlatModel {
    let f = this.flat.get(id);
    if (!f) {
      f = flattenModel(id, new Map(this.definitions));
      this.flat.set(id, f);
    }
    return f;
  }

  labelOf(twin: Twin): string {
    if (this.displayProperty === '$dtId') return twin.$dtId;
    const v = twin[this.displayProperty];
    return v === undefined || v === null || typeof v === 'object' ? `*${twin.$dtId}` : String(v);
  }

  setDisplayProperty(name: string): void {
    this.displayProperty = name;
    localStorage.setItem('odt-display-property', name);
    this.graph.forEachNode((id, a) => this.graph.setNodeAttribute(id, 'label', this.labelOf(a.twin)));
    this.changed();
  }

  /** Adds or refreshes twins; new ones are placed around the centre until a layout moves them. */
  putTwins(twins: Twin[]): void {
    const g = this.graph;
    for (const twin of twins) {
      const model = twin.$metadata.$model;
      if (g.hasNode(twin.$dtId)) {
        g.mergeNodeAttributes(twin.$dtId, { twin, model, label: this.labelOf(twin), color: this.colourOf(model) });
      } else {
        // A sunflower spiral: new twins never land on each other, whatever the layout does next.
        const i = g.order; const angle = i * 2.39996; const r = 10 * Math.sqrt(i + 0.5);
        g.addNode(twin.$dtId, { twin, model, label: this.labelOf(twin), color: this.colourOf(model), size: 6, x: Math.cos(angle) * r, y: Math.sin(angle) * r });
      }
    }
  }

  /** Adds relationships whose two ends are drawn; returns how many were left out. */
  putRelationships(rels: Relationship[]): number {
    const g = this.graph;
    let skipped = 0;
    for (const rel of rels) {
      const key = `${rel.$sourceId}\u0000${rel.$relationshipId}`;
      if (!g.hasNode(rel.$sourceId) || !g.hasNode(rel.$targetId)) { skipped++; continue; }
      if (g.hasEdge(key)) g.mergeEdgeAttributes(key, { relationship: rel });
      else g.addDirectedEdgeWithKey(key, rel.$sourceId, rel.$targetId, { relationship: rel, label: rel.$relationshipName, size: 2, color: '#7b8794' });
    }
    return skipped;
  }

  removeTwin(id: string): void {
    if (this.graph.hasNode(id)) this.graph.dropNode(id);
    if (this.selection?.kind === 'twin' && this.selection.id === id) this.selection = undefined;
    this.changed();
  }

  select(selection: Selection): void {
    this.selection = selection;
    this.changed();
  }

  flash(id: string): void {
    this.flashing.set(id, Date.now() + 1500);
    this.twinVersions.set(id, (this.twinVersions.get(id) ?? 0) + 1);
    this.changed();
    setTimeout(() => { if ((this.flashing.get(id) ?? 0) <= Date.now()) { this.flashing.delete(id); this.changed(); } }, 1600);
  }

  clear(): void {
    this.graph.clear();
    this.selection = undefined;
    this.changed();
  }
}

export const store = new ExplorerStore();
// Tests and the benchmark read the graph from the page.
(globalThis as unknown as { odtExplorer: ExplorerStore }).odtExplorer = store;

export function useStore(): ExplorerStore {
  useSyncExternalStore(store.subscribe, store.snapshot);
  return store;
}
