/** `@odt/client/node`: what only Node can do (run a command for a token). */
import { exec } from 'node:child_process';
import { cachedCredential, type TokenCredential } from './credentials';

/**
 * A token printed by a command (`az account get-access-token --query accessToken -o tsv`,
 * `gcloud auth print-access-token`, `vault read ...`): its stdout, trimmed; or, if that is JSON,
 * its `accessToken`/`access_token`/`token` (with `expiresOn`/`expires_on`/`expires_in` when given).
 * Cached until shortly before the token expires.
 */
export function tokenCommand(command: string, options: { timeoutMs?: number; cwd?: string } = {}): TokenCredential {
  return cachedCredential(() => new Promise((resolve, reject) => {
    exec(command, { timeout: options.timeoutMs ?? 30_000, cwd: options.cwd, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`The token command failed (${err.code ?? err.signal ?? 'error'}): ${String(stderr).trim().slice(0, 500) || err.message}`));
        return;
      }
      const out = String(stdout).trim();
      if (!out) {
        reject(new Error('The token command printed nothing.'));
        return;
      }
      resolve(parseTokenOutput(out));
    });
  }));
}

export function parseTokenOutput(out: string): { token: string; expiresAt?: number } {
  if (!out.startsWith('{')) return { token: out };
  const json = JSON.parse(out) as Record<string, unknown>;
  const token = [json.accessToken, json.access_token, json.token].find((t): t is string => typeof t === 'string');
  if (!token) throw new Error('The token command printed JSON without an accessToken, access_token or token.');
  const expiresOn = json.expires_on ?? json.expiresOn;
  let expiresAt: number | undefined;
  if (typeof expiresOn === 'number') expiresAt = expiresOn * 1000;
  else if (typeof expiresOn === 'string') expiresAt = /^\d+$/.test(expiresOn) ? Number(expiresOn) * 1000 : Date.parse(expiresOn);
  else if (typeof json.expires_in === 'number') expiresAt = Date.now() + json.expires_in * 1000;
  return { token, ...(expiresAt && Number.isFinite(expiresAt) ? { expiresAt } : {}) };
}

export * from './index';
