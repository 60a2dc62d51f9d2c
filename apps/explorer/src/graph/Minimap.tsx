import { useEffect, useRef } from 'react';
import type Sigma from 'sigma';
import { store } from '../store';

const W = 160;
const H = 110;

/**
 * The whole graph in small, with the visible part outlined. The twins are drawn into a cached
 * canvas when the graph changes; a camera move only redraws the outline.
 */
export function Minimap({ sigma }: { sigma: Sigma | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!sigma) return;
    const dots = document.createElement('canvas');
    dots.width = W; dots.height = H;
    let box = { minX: 0, minY: 0, w: 1, h: 1 };
    let dirty = true;
    let pending = false;
    const toMini = (x: number, y: number) => ({ x: ((x - box.minX) / box.w) * (W - 4) + 2, y: H - 2 - ((y - box.minY) / box.h) * (H - 4) });
    const drawDots = () => {
      let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
      store.graph.forEachNode((_n, a) => { if (a.x < minX) minX = a.x; if (a.x > maxX) maxX = a.x; if (a.y < minY) minY = a.y; if (a.y > maxY) maxY = a.y; });
      box = { minX, minY, w: Math.max(1e-9, maxX - minX), h: Math.max(1e-9, maxY - minY) };
      const ctx = dots.getContext('2d')!;
      ctx.clearRect(0, 0, W, H);
      store.graph.forEachNode((_n, a) => { const p = toMini(a.x, a.y); ctx.fillStyle = a.color; ctx.fillRect(p.x, p.y, 1.5, 1.5); });
      dirty = false;
    };
    const draw = () => {
      pending = false;
      const c = canvas.current;
      if (!c) return;
      if (dirty) drawDots();
      const ctx = c.getContext('2d')!;
      ctx.clearRect(0, 0, W, H);
      ctx.drawImage(dots, 0, 0);
      const dims = sigma.getDimensions();
      const a = sigma.viewportToGraph({ x: 0, y: 0 }); const b = sigma.viewportToGraph({ x: dims.width, y: dims.height });
      const p = toMini(a.x, a.y); const q = toMini(b.x, b.y);
      ctx.strokeStyle = '#333';
      ctx.strokeRect(Math.min(p.x, q.x), Math.min(p.y, q.y), Math.abs(q.x - p.x), Math.abs(q.y - p.y));
    };
    const schedule = () => { if (!pending) { pending = true; setTimeout(draw, 250); } };
    const graphChanged = () => { dirty = true; schedule(); };
    sigma.on('afterRender', schedule);
    store.graph.on('nodeAdded', graphChanged);
    store.graph.on('nodeDropped', graphChanged);
    store.graph.on('nodeAttributesUpdated', graphChanged);
    store.graph.on('eachNodeAttributesUpdated', graphChanged);
    store.graph.on('cleared', graphChanged);
    return () => {
      sigma.off('afterRender', schedule);
      store.graph.off('nodeAdded', graphChanged);
      store.graph.off('nodeDropped', graphChanged);
      store.graph.off('nodeAttributesUpdated', graphChanged);
      store.graph.off('eachNodeAttributesUpdated', graphChanged);
      store.graph.off('cleared', graphChanged);
    };
  }, [sigma]);
  return <canvas className="minimap" ref={canvas} width={W} height={H} aria-label="Minimap" />;
}
