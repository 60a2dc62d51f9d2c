import { useState } from 'react';
import { defaultValue, parseScalar, type Schema } from './dtdl';

type Change = (value: unknown) => void;
const NUMERIC = ['double', 'float', 'integer', 'long'];

/** One value edited as its DTDL schema says: pickers for enums, rows for maps, fields for objects, JSON for the rest. */
export function ValueField({ id, label, schema, value, onChange }: { id: string; label: string; schema: Schema; value: unknown; onChange: Change }) {
  switch (schema.kind) {
    case 'enum':
      return (
        <select id={id} aria-label={label} value={value === undefined ? '' : String(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : schema.valueSchema === 'integer' ? Number(e.target.value) : e.target.value)}>
          <option value="">(unset)</option>
          {schema.values.map((v) => <option key={v.name} value={String(v.value)}>{v.label} ({String(v.value)})</option>)}
          {value !== undefined && !schema.values.some((v) => v.value === value) && <option value={String(value)}>{String(value)} — not in the enum</option>}
        </select>
      );
    case 'map':
      return <MapField id={id} label={label} schema={schema} value={value as Record<string, unknown> | undefined} onChange={onChange} />;
    case 'object':
      return (
        <fieldset className="object" aria-label={label}>
          {schema.fields.map((f) => (
            <div className="field" key={f.name}>
              <label htmlFor={`${id}.${f.name}`}>{f.name}</label>
              <ValueField id={`${id}.${f.name}`} label={`${label}.${f.name}`} schema={f.schema} value={(value as Record<string, unknown> | undefined)?.[f.name]}
                onChange={(v) => { const next = { ...(value as Record<string, unknown> ?? {}) }; if (v === undefined) delete next[f.name]; else next[f.name] = v; onChange(next); }} />
            </div>
          ))}
        </fieldset>
      );
    case 'primitive':
      return <PrimitiveField id={id} label={label} type={schema.type} value={value} onChange={onChange} />;
    default:
      return <JsonField id={id} label={label} value={value} onChange={onChange} />;
  }
}

function PrimitiveField({ id, label, type, value, onChange }: { id: string; label: string; type: string; value: unknown; onChange: Change }) {
  const [error, setError] = useState('');
  if (type === 'boolean') {
    return (
      <select id={id} aria-label={label} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
        <option value="">(unset)</option><option value="true">true</option><option value="false">false</option>
      </select>
    );
  }
  const inputType = NUMERIC.includes(type) ? 'number' : type === 'date' ? 'date' : type === 'time' ? 'time' : 'text';
  const placeholder = type === 'dateTime' ? '2024-01-31T12:00:00Z' : type === 'duration' ? 'PT15M' : type === 'string' ? '' : type;
  return (
    <span>
      <input id={id} aria-label={label} type={inputType} step={type === 'double' || type === 'float' ? 'any' : undefined} placeholder={placeholder}
        value={value === undefined || value === null ? '' : String(value)}
        onChange={(e) => {
          try {
            const v = parseScalar(type, e.target.value);
            if (type === 'dateTime' && typeof v === 'string' && Number.isNaN(Date.parse(v))) setError('not a date-time'); 
            else if (type === 'duration' && typeof v === 'string' && !/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(v)) setError('not an ISO 8601 duration');
            else setError('');
            onChange(v);
          } catch (err) { setError((err as Error).message); }
        }} />
      {error && <span className="error" role="alert"> {error}</span>}
    </span>
  );
}

function JsonField({ id, label, value, onChange }: { id: string; label: string; value: unknown; onChange: Change }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 1));
  const [error, setError] = useState('');
  return (
    <span>
      <textarea id={id} aria-label={label} rows={3} value={text} onChange={(e) => {
        setText(e.target.value);
        if (!e.target.value.trim()) { setError(''); onChange(undefined); return; }
        try { onChange(JSON.parse(e.target.value)); setError(''); } catch { setError('not JSON'); }
      }} />
      {error && <span className="error" role="alert"> {error}</span>}
    </span>
  );
}

function MapField({ id, label, schema, value, onChange }: { id: string; label: string; schema: Extract<Schema, { kind: 'map' }>; value: Record<string, unknown> | undefined; onChange: Change }) {
  const [key, setKey] = useState('');
  const entries = Object.entries(value ?? {});
  return (
    <fieldset className="map" aria-label={label}>
      {entries.map(([k, v]) => (
        <div className="field" key={k}>
          <label htmlFor={`${id}[${k}]`}>{k}</label>
          <ValueField id={`${id}[${k}]`} label={`${label} ${k}`} schema={schema.value} value={v} onChange={(nv) => onChange({ ...value, [k]: nv })} />
          <button type="button" aria-label={`Remove ${k} from ${label}`} onClick={() => { const next = { ...value }; delete next[k]; onChange(next); }}>×</button>
        </div>
      ))}
      <div className="field">
        <input aria-label={`New ${schema.keyName} for ${label}`} placeholder={schema.keyName} value={key} onChange={(e) => setKey(e.target.value)} />
        <button type="button" disabled={!key || (value ?? {})[key] !== undefined} onClick={() => { onChange({ ...value, [key]: defaultValue(schema.value) }); setKey(''); }}>Add entry</button>
      </div>
    </fieldset>
  );
}
