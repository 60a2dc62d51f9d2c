import { useState } from 'react';
import { currentToken, setToken } from '../api/http';
import { store } from '../store';

/** Signing in: nothing with authentication off; a pasted bearer token otherwise (kept for this tab). */
export function TokenBar() {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(currentToken() ?? '');
  return (
    <div className="token-bar">
      <button type="button" onClick={() => setOpen(!open)}>{currentToken() ? 'Signed in (token)' : 'Sign in'}</button>
      {open && (
        <form className="row" onSubmit={(e) => { e.preventDefault(); setToken(value); setOpen(false); void store.loadModels().catch((err: Error) => store.say('', err.message)); }}>
          <input type="password" placeholder="Bearer token" aria-label="Bearer token" value={value} onChange={(e) => setValue(e.target.value)} />
          <button type="submit">Use token</button>
          <button type="button" onClick={() => { setToken(undefined); setValue(''); setOpen(false); }}>Sign out</button>
        </form>
      )}
    </div>
  );
}
