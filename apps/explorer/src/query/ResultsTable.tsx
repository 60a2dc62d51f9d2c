import { useState } from 'react';
import { useStore } from '../store';
import { cellText, columnsOf } from './results';

const ROW = 24;

/** The query's rows, virtualised: only the rows in view are in the DOM (10,000 rows stay smooth). */
export function ResultsTable() {
  const s = useStore();
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(240);
  const rows = s.rows;
  const columns = columnsOf(rows);
  const first = Math.max(0, Math.floor(top / ROW) - 5);
  const last = Math.min(rows.length, first + Math.ceil(height / ROW) + 10);
  const open = (row: Record<string, unknown>) => {
    if (typeof row.$dtId === 'string') s.select({ kind: 'twin', id: row.$dtId });
    else if (typeof row.$relationshipId === 'string') s.select({ kind: 'relationship', source: String(row.$sourceId), id: row.$relationshipId });
  };
  return (
    <section className="panel results" aria-label="Results table">
      <div className="table-scroll" ref={(el) => { if (el && el.clientHeight !== height) setHeight(el.clientHeight); }} onScroll={(e) => setTop(e.currentTarget.scrollTop)}>
        <table role="grid" aria-rowcount={rows.length}>
          <thead><tr>{columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr></thead>
          <tbody>
            <tr style={{ height: first * ROW }} aria-hidden="true" />
            {rows.slice(first, last).map((row, i) => (
              <tr key={first + i} tabIndex={0} aria-rowindex={first + i + 1} style={{ height: ROW }}
                onClick={() => open(row)} onKeyDown={(e) => { if (e.key === 'Enter') open(row); }}>
                {columns.map((c) => <td key={c}>{cellText(row, c)}</td>)}
              </tr>
            ))}
            <tr style={{ height: (rows.length - last) * ROW }} aria-hidden="true" />
          </tbody>
        </table>
      </div>
      <p className="counts">{rows.length} rows</p>
    </section>
  );
}
