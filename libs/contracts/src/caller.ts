/**
 * Who made a call, as the gateway authenticated it. It travels with every internal request (NATS
 * header `x-odt-caller`) and is recorded in each event as the CloudEvents `authcontext` extension
 * (`authtype`, `authid`).
 */
export interface Caller {
  /** The CloudEvents authcontext `authtype`: a person, a service principal, or nobody (auth off). */
  type: 'user' | 'service_account' | 'unauthenticated' | 'system';
  /** The token's subject (`sub`, or `oid`/`appid` where the provider puts the principal there). */
  id: string;
}

export const ANONYMOUS_CALLER: Caller = { type: 'unauthenticated', id: 'anonymous' };

const CALLER_TYPES = new Set<Caller['type']>(['user', 'service_account', 'unauthenticated', 'system']);

/** `type;id` with the id percent-encoded: NATS header values are single-line ASCII. */
export function encodeCaller(caller: Caller): string {
  return `${caller.type};${encodeURIComponent(caller.id)}`;
}

export function decodeCaller(value: string | undefined | null): Caller | undefined {
  if (!value) return undefined;
  const at = value.indexOf(';');
  const type = value.slice(0, at) as Caller['type'];
  if (at < 0 || !CALLER_TYPES.has(type)) return undefined;
  try {
    return { type, id: decodeURIComponent(value.slice(at + 1)) };
  } catch {
    return undefined;
  }
}
