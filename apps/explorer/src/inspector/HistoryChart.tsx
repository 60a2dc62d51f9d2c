import { useEffect, useState } from 'react';
import { adt } from '../api/adt';

/** A numeric property over time (the history API), as a small line chart. */
export function HistoryChart({ twin, property }: { twin: string; property: string }) {
  const [points, setPoints] = useState<{ t: number; v: number }[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    adt.history(twin, property).then((r) => {
      setPoints(r.filter((p) => typeof p.value === 'number' && 'time' in p).map((p) => ({ t: Date.parse((p as { time: string }).time), v: p.value as number })).sort((a, b) => a.t - b.t));
    }, (e: Error) => setError(e.message));
  }, [twin, property]);
  if (error) return <p className="error">History: {error}</p>;
  if (points.length === 0) return <p className="muted">No history for {property}.</p>;
  const [t0, t1] = [points[0].t, points[points.length - 1].t || points[0].t + 1];
  const vs = points.map((p) => p.v); const [v0, v1] = [Math.min(...vs), Math.max(...vs)];
  const x = (t: number) => 5 + ((t - t0) / Math.max(1, t1 - t0)) * 270;
  const y = (v: number) => 75 - ((v - v0) / Math.max(1e-9, v1 - v0)) * 70;
  return (
    <figure className="history-chart">
      <svg width={280} height={80} role="img" aria-label={`${property} over time`}>
        <polyline fill="none" stroke="#4e79a7" strokeWidth={1.5} points={points.map((p) => `${x(p.t)},${y(p.v)}`).join(' ')} />
        {points.map((p) => <circle key={p.t} cx={x(p.t)} cy={y(p.v)} r={2} fill="#4e79a7" />)}
      </svg>
      <figcaption>{property}: {points.length} values, {v0} … {v1}</figcaption>
    </figure>
  );
}
