import { useCallback, useState, type ReactNode } from 'react';
import { GraphView } from './graph/GraphView';
import { LinkDialog } from './graph/LinkDialog';
import { Inspector } from './inspector/Inspector';
import { LivePanel } from './live/LivePanel';
import { ModelsPanel } from './models/ModelsPanel';
import { QueryPanel } from './query/QueryPanel';
import { ResultsTable } from './query/ResultsTable';
import { RoutesPanel } from './routes/RoutesPanel';
import { useStore } from './store';
import { TransferPanel } from './transfer/TransferPanel';
import { Splitter, useLayout } from './ui/layout';
import { TokenBar } from './ui/TokenBar';

const TABS = ['Query', 'Models', 'Live', 'Import / export', 'Routes'] as const;
type Tab = typeof TABS[number];

export function App() {
  const s = useStore();
  const [tab, setTab] = useState<Tab>(() => (localStorage.getItem('odt-tab') as Tab) ?? 'Query');
  const [link, setLink] = useState<{ source: string; target: string } | undefined>();
  const [layout, setLayout] = useLayout();
  const onLink = useCallback((source: string, target: string) => setLink({ source, target }), []);
  const choose = (t: Tab) => { setTab(t); localStorage.setItem('odt-tab', t); };
  const panels: Record<Tab, ReactNode> = {
    Query: <QueryPanel />, Models: <ModelsPanel />, Live: <LivePanel />, 'Import / export': <TransferPanel />, Routes: <RoutesPanel />,
  };
  return (
    <div className="app" style={{ gridTemplateColumns: `${layout.left}px 6px minmax(0, 1fr) 6px ${layout.right}px` }}>
      <header>
        <h1>Open Digital Twins Explorer</h1>
        <p className="status" role="status" aria-live="polite">{s.error ? <span className="error">{s.error}</span> : s.status}</p>
        <TokenBar />
      </header>
      <nav className="left">
        <div role="tablist" aria-label="Panels">
          {TABS.map((t) => (
            <button key={t} role="tab" type="button" aria-selected={tab === t} aria-controls={`panel-${t}`} id={`tab-${t}`}
              onClick={() => choose(t)}
              onKeyDown={(e) => {
                const i = TABS.indexOf(t);
                if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                  const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
                  choose(next);
                  document.getElementById(`tab-${next}`)?.focus();
                }
              }}>{t}</button>
          ))}
        </div>
        {TABS.map((t) => (
          <div key={t} role="tabpanel" id={`panel-${t}`} aria-labelledby={`tab-${t}`} hidden={tab !== t} className="tabpanel">{panels[t]}</div>
        ))}
      </nav>
      <Splitter label="Resize the side panel" onDrag={(dx) => setLayout((l) => ({ left: Math.max(240, l.left + dx) }))} />
      <main style={{ gridTemplateRows: `minmax(0, 1fr) 6px ${layout.bottom}px` }}>
        <GraphView onLink={onLink} />
        <Splitter horizontal label="Resize the results table" onDrag={(dy) => setLayout((l) => ({ bottom: Math.max(80, l.bottom - dy) }))} />
        <ResultsTable />
      </main>
      <Splitter label="Resize the inspector" onDrag={(dx) => setLayout((l) => ({ right: Math.max(240, l.right - dx) }))} />
      <Inspector />
      {link && <LinkDialog source={link.source} target={link.target} onClose={() => setLink(undefined)} />}
    </div>
  );
}
