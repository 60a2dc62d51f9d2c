import { useState } from 'react';

export interface Layout { left: number; right: number; bottom: number }
const DEFAULT: Layout = { left: 380, right: 360, bottom: 220 };

/** Panel sizes, remembered in this browser. */
export function useLayout(): [Layout, (change: (l: Layout) => Partial<Layout>) => void] {
  const [layout, set] = useState<Layout>(() => ({ ...DEFAULT, ...JSON.parse(localStorage.getItem('odt-layout') ?? '{}') }));
  return [layout, (change) => set((l) => { const next = { ...l, ...change(l) }; localStorage.setItem('odt-layout', JSON.stringify(next)); return next; })];
}

/** A drag handle between panels; arrow keys move it too. */
export function Splitter({ horizontal, label, onDrag }: { horizontal?: boolean; label: string; onDrag: (delta: number) => void }) {
  return (
    <div role="separator" tabIndex={0} aria-label={label} aria-orientation={horizontal ? 'horizontal' : 'vertical'} className={horizontal ? 'splitter h' : 'splitter v'}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 50 : 10;
        if (!horizontal && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) onDrag(e.key === 'ArrowRight' ? step : -step);
        if (horizontal && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) onDrag(e.key === 'ArrowDown' ? step : -step);
      }}
      onPointerDown={(e) => {
        const el = e.currentTarget; el.setPointerCapture(e.pointerId);
        let last = horizontal ? e.clientY : e.clientX;
        const move = (m: PointerEvent) => { const now = horizontal ? m.clientY : m.clientX; onDrag(now - last); last = now; };
        const up = () => { el.removeEventListener('pointermove', move); el.removeEventListener('pointerup', up); };
        el.addEventListener('pointermove', move); el.addEventListener('pointerup', up);
      }} />
  );
}
