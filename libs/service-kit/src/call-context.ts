import { AsyncLocalStorage } from 'node:async_hooks';
import type { Caller } from '@odt/contracts';

/** What an internal request carries besides its payload: its id, its caller, its trace. */
export interface CallContext {
  requestId?: string;
  caller?: Caller;
  traceparent?: string;
}

const storage = new AsyncLocalStorage<CallContext>();

/**
 * The context of the request being served, set by the RPC server around each handler: events built
 * while serving it record its caller, and requests made on its behalf carry it on.
 */
export const currentCall = (): CallContext | undefined => storage.getStore();

export const runInCall = <T>(context: CallContext, fn: () => T): T => storage.run(context, fn);
