import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { signIn } from './auth/sign-in';
import './explorer.css';

// How to sign in comes from the gateway; on the redirect back from the identity provider, the code is exchanged first.
void signIn.start().finally(() => createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>));
