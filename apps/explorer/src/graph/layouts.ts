import FA2Layout from 'graphology-layout-forceatlas2/worker';
import { inferSettings } from 'graphology-layout-forceatlas2';
import type Graph from 'graphology';
import { store } from '../store';

/** At most one ForceAtlas2 worker per graph (the twin graph, the model graph). */
const running = new WeakMap<Graph, FA2Layout>();

/** ForceAtlas2 in its Web Worker for a while (longer for bigger graphs), then stopped. */
export function forceLayout(graph: Graph, ms = Math.min(8000, 1500 + graph.order)): Promise<void> {
  stopLayout(graph);
  const layout = new FA2Layout(graph, { settings: { ...inferSettings(graph), barnesHutOptimize: graph.order > 500 } });
  running.set(graph, layout);
  store.layoutsRunning++;
  layout.start();
  return new Promise((resolve) => setTimeout(() => { if (running.get(graph) === layout) stopLayout(graph); resolve(); }, ms));
}

export function stopLayout(graph: Graph): void {
  const layout = running.get(graph);
  if (!layout) return;
  layout.kill();
  running.delete(graph);
  store.layoutsRunning--;
}

/** Buildings above floors above rooms: a layered layout computed in a Web Worker. */
export function layeredLayout(graph: Graph): Promise<void> {
  stopLayout(graph);
  const worker = new Worker(new URL('./layered.worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<Record<string, { x: number; y: number }>>) => {
      for (const [id, p] of Object.entries(e.data)) if (graph.hasNode(id)) graph.mergeNodeAttributes(id, p);
      worker.terminate();
      resolve();
    };
    worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message)); };
    worker.postMessage({ nodes: graph.nodes(), edges: graph.mapEdges((_e, _a, s, t) => [s, t]) });
  });
}
