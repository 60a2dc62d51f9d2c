import { useEffect, useRef } from 'react';
import type Sigma from 'sigma';
import { store } from '../store';

/** The whole graph in small, with the visible part outlined; redrawn at most a few times a second. */
export function Minimap({ sigma }: { sigma: Sigma | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let pending = false;
    const draw = () => {
      pending = false;
      const c = canvas.current; const r = sigma;
      if (!c || !r) return;
      const ctx = c.getContext('2d')!;
      ctx.clearRect(0, 0, c.width, c.height);
      const dims = r.getDimensions();
      const corners = [r.viewportToFramedGraph({ x: 0, y: 0 }), r.viewportToFramedGraph({ x: dims.width, y: dims.height })];
      store.graph.forEachNode((n) => {
        const p = r.graphToViewport(store.graph.getNodeAttributes(n));
        const f = r.viewportToFramedGraph(p);
        ctx.fillStyle = store.graph.getNodeAttribute(n, 'color');
        ctx.fillRect(f.x * c.width, (1 - f.y) * c.height, 2, 2);
      });
      ctx.strokeStyle = '#333';
      ctx.strokeRect(corners[0].x * c.width, (1 - corners[0].y) * c.height, (corners[1].x - corners[0].x) * c.width, (corners[0].y - corners[1].y) * c.height);
    };
    const schedule = () => { if (!pending) { pending = true; setTimeout(draw, 250); } };
    const r = sigma;
    r?.on('afterRender', schedule);
    return () => { r?.off('afterRender', schedule); };
  }, [sigma]);
  return <canvas className="minimap" ref={canvas} width={160} height={110} aria-label="Minimap" />;
}
