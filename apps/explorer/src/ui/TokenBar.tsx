import { useState, useSyncExternalStore } from 'react';
import { signIn } from '../auth/sign-in';
import { store } from '../store';

/**
 * Signing in: nothing with authentication off; **Sign in** through the identity provider when the
 * gateway names one (authorization code + PKCE); a pasted bearer token otherwise, or as a fallback.
 */
export function TokenBar() {
  useSyncExternalStore(signIn.subscribe, signIn.snapshot);
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(signIn.pasted ?? '');
  const user = signIn.signedInAs;
  const fail = (err: Error) => store.say('', err.message);
  const reload = () => void store.loadModels().catch(fail);
  return (
    <div className="token-bar">
      {signIn.problem && <span className="error" role="alert">{signIn.problem}</span>}
      {user && <span data-testid="signed-in-as">Signed in{user === 'token' ? ' (token)' : ` as ${user}`}</span>}
      {user && <button type="button" onClick={() => { setValue(''); setOpen(false); void signIn.signOut().catch(fail); }}>Sign out</button>}
      {!user && signIn.oidcAvailable && <button type="button" onClick={() => void signIn.signIn().catch(fail)}>Sign in</button>}
      {!user && (
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>{signIn.oidcAvailable ? 'Use a token' : 'Sign in'}</button>
      )}
      {open && !user && (
        <form className="row" onSubmit={(e) => { e.preventDefault(); signIn.usePastedToken(value); setOpen(false); reload(); }}>
          <input type="password" placeholder="Bearer token" aria-label="Bearer token" value={value} onChange={(e) => setValue(e.target.value)} />
          <button type="submit">Use token</button>
        </form>
      )}
    </div>
  );
}
