import { useEffect, useRef, useState } from 'react';
import { adt } from '../api/adt';
import { withVersion } from '../api/http';
import { signIn } from '../auth/sign-in';
import { store } from '../store';

interface Item { id: string; type: string; subject?: string; time: string }

/** The live event stream (`GET /events`) as a feed; changed twins flash in the graph and refresh the inspector. */
export function LivePanel() {
  const [items, setItems] = useState<Item[]>([]);
  const [state, setState] = useState('connecting');
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    let source: EventSource | undefined;
    let closed = false;
    const open = async () => {
      const params: Record<string, string> = {};
      // EventSource cannot send a bearer token: trade it for a single-use ticket.
      if (await signIn.token()) params.ticket = (await adt.streamTicket()).ticket;
      if (closed) return;
      source = new EventSource(withVersion('/events', params));
      source.onopen = () => setState('open');
      source.onerror = () => {
        if (source?.readyState === EventSource.CLOSED) { setState('closed; retrying'); setTimeout(() => { if (!closed) void open(); }, 3000); }
        else setState('reconnecting');
      };
      const onEvent = (e: MessageEvent) => {
        const ev = JSON.parse(e.data) as { id: string; type: string; subject?: string; time: string; data?: Record<string, unknown> };
        const twin = ev.subject?.split('/relationships/')[0];
        if (twin && /Twin\.(Update|Create)|Relationship/.test(ev.type) && store.graph.hasNode(twin)) store.flash(twin);
        if (twin && ev.type.endsWith('Twin.Delete')) store.removeTwin(twin);
        if (!pausedRef.current) setItems((list) => [{ id: e.lastEventId || ev.id, type: ev.type, subject: ev.subject, time: ev.time }, ...list].slice(0, 200));
      };
      for (const t of ['Twin.Create', 'Twin.Update', 'Twin.Delete', 'Relationship.Create', 'Relationship.Update', 'Relationship.Delete', 'Telemetry']) {
        source.addEventListener(`Microsoft.DigitalTwins.${t}`, onEvent);
      }
      source.addEventListener('message', onEvent);
    };
    void open().catch((e: Error) => setState(`refused: ${e.message}`));
    return () => { closed = true; source?.close(); };
  }, []);

  return (
    <section className="panel live-panel" aria-label="Live events">
      <div className="row">
        <span role="status" data-testid="live-state">Stream: {state}</span>
        <button type="button" onClick={() => setPaused(!paused)}>{paused ? 'Resume feed' : 'Pause feed'}</button>
        <button type="button" onClick={() => setItems([])}>Clear</button>
      </div>
      <ol className="feed" aria-label="Events">
        {items.map((i) => (
          <li key={i.id}>
            <time>{new Date(i.time).toLocaleTimeString()}</time> <b>{i.type.replace('Microsoft.DigitalTwins.', '')}</b>{' '}
            <button type="button" className="link" onClick={() => i.subject && store.graph.hasNode(i.subject) && store.select({ kind: 'twin', id: i.subject })}>{i.subject}</button>
          </li>
        ))}
      </ol>
    </section>
  );
}
