/// <reference lib="webworker" />
/**
 * A layered layout off the main thread: twins with no incoming relationship at the top
 * (buildings), each relationship one layer down (floors, rooms), siblings side by side.
 */
interface Request { nodes: string[]; edges: [string, string][] }

self.onmessage = (e: MessageEvent<Request>) => {
  const { nodes, edges } = e.data;
  const children = new Map<string, string[]>();
  const indegree = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (const [s, t] of edges) {
    if (s === t) continue;
    (children.get(s) ?? children.set(s, []).get(s)!).push(t);
    indegree.set(t, (indegree.get(t) ?? 0) + 1);
  }
  const layer = new Map<string, number>();
  const queue = nodes.filter((n) => (indegree.get(n) ?? 0) === 0);
  if (queue.length === 0 && nodes.length) queue.push(nodes[0]);
  for (const n of queue) layer.set(n, 0);
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i];
    for (const c of children.get(n) ?? []) {
      if (!layer.has(c)) { layer.set(c, layer.get(n)! + 1); queue.push(c); }
    }
    // Cycles and islands: whatever is left starts a new tree.
    if (i === queue.length - 1 && layer.size < nodes.length) {
      const rest = nodes.find((m) => !layer.has(m));
      if (rest) { layer.set(rest, 0); queue.push(rest); }
    }
  }
  const rows = new Map<number, string[]>();
  for (const n of queue) (rows.get(layer.get(n)!) ?? rows.set(layer.get(n)!, []).get(layer.get(n)!)!).push(n);
  const positions: Record<string, { x: number; y: number }> = {};
  for (const [depth, row] of rows) {
    row.forEach((n, i) => { positions[n] = { x: (i - (row.length - 1) / 2) * 40, y: -depth * 60 }; });
  }
  (self as unknown as Worker).postMessage(positions);
};
