import { useEffect, useState } from 'react';
import { adt } from '../api/adt';
import { ApiError } from '../api/http';

type Endpoint = Record<string, unknown> & { name: string };

/** Event routes and endpoints: list, create, delete; an endpoint's dead letters, with replay. */
export function RoutesPanel() {
  const [routes, setRoutes] = useState<{ id: string; endpointName: string; filter: string }[]>([]);
  const [endpoints, setEndpoints] = useState<Endpoint[]>([]);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [route, setRoute] = useState({ id: '', endpointName: '', filter: 'true' });
  const [endpoint, setEndpoint] = useState({ name: '', endpointType: 'webhook', target: '' });
  const [letters, setLetters] = useState<{ name: string; value: Record<string, unknown>[] } | undefined>();

  const refresh = async () => {
    try { setRoutes(await adt.listRoutes()); setEndpoints(await adt.listEndpoints()); setError(''); } catch (err) { setError((err as Error).message); }
  };
  useEffect(() => { void refresh(); }, []);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    try { await fn(); setMessage(what); setError(''); await refresh(); } catch (err) { setError(err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message); }
  };
  const targetField: Record<string, string> = { webhook: 'url', nats: 'subject', mqtt: 'url', amqp: 'url' };

  return (
    <section className="panel routes-panel" aria-label="Routes and endpoints">
      {error && <p className="error" role="alert">{error}</p>}
      {message && <p className="ok" role="status">{message}</p>}
      <h3>Endpoints</h3>
      <ul>
        {endpoints.map((e) => (
          <li key={e.name}><b>{e.name}</b> {String(e.endpointType)} {String(e.url ?? e.subject ?? '')}
            <button type="button" onClick={() => void adt.deadLetters(e.name).then((r) => setLetters({ name: e.name, value: r as unknown as Record<string, unknown>[] }), (err: Error) => setError(err.message))}>Dead letters</button>
            <button type="button" aria-label={`Delete endpoint ${e.name}`} onClick={() => void act(`Deleted endpoint ${e.name}.`, () => adt.deleteEndpoint(e.name))}>Delete</button>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={(ev) => { ev.preventDefault(); void act(`Saved endpoint ${endpoint.name}.`, () => adt.putEndpoint(endpoint.name, { endpointType: endpoint.endpointType, [targetField[endpoint.endpointType]]: endpoint.target })); }}>
        <input required placeholder="name" aria-label="Endpoint name" value={endpoint.name} onChange={(e) => setEndpoint({ ...endpoint, name: e.target.value })} />
        <select aria-label="Endpoint type" value={endpoint.endpointType} onChange={(e) => setEndpoint({ ...endpoint, endpointType: e.target.value })}>
          {Object.keys(targetField).map((k) => <option key={k}>{k}</option>)}
        </select>
        <input required placeholder={targetField[endpoint.endpointType]} aria-label="Endpoint target" value={endpoint.target} onChange={(e) => setEndpoint({ ...endpoint, target: e.target.value })} />
        <button type="submit">Add endpoint</button>
      </form>
      {letters && (
        <div>
          <h4>Dead letters of {letters.name}: {letters.value.length}</h4>
          <button type="button" onClick={() => void act('Replayed.', async () => { const r = await adt.replayDeadLetters(letters.name); setMessage(`Replayed ${r.replayed}, ${r.remaining} remain.`); setLetters(undefined); })}>Replay</button>
          <ol>{letters.value.map((l, i) => <li key={i}>{String(l.deadLetteredAt)} {String(l.reason)} ({String(l.attempts)} attempts)</li>)}</ol>
        </div>
      )}
      <h3>Routes</h3>
      <ul>
        {routes.map((r) => (
          <li key={r.id}><b>{r.id}</b> → {r.endpointName} <code>{r.filter}</code>
            <button type="button" aria-label={`Delete route ${r.id}`} onClick={() => void act(`Deleted route ${r.id}.`, () => adt.deleteRoute(r.id))}>Delete</button>
          </li>
        ))}
      </ul>
      <form className="row" onSubmit={(ev) => { ev.preventDefault(); void act(`Saved route ${route.id}.`, () => adt.putRoute(route.id, route.endpointName, route.filter)); }}>
        <input required placeholder="route id" aria-label="Route id" value={route.id} onChange={(e) => setRoute({ ...route, id: e.target.value })} />
        <select required aria-label="Route endpoint" value={route.endpointName} onChange={(e) => setRoute({ ...route, endpointName: e.target.value })}>
          <option value="">endpoint…</option>
          {endpoints.map((e) => <option key={e.name}>{e.name}</option>)}
        </select>
        <input placeholder="filter" aria-label="Route filter" value={route.filter} onChange={(e) => setRoute({ ...route, filter: e.target.value })} />
        <button type="submit">Add route</button>
      </form>
    </section>
  );
}
