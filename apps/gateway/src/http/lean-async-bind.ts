import { AsyncResource } from 'node:async_hooks';

/**
 * Fastify binds every request body's parse callback to an `AsyncResource` (`resource.bind(done)`).
 * On Node 20 `bind` also defines the deprecated `asyncResource` accessor (DEP0172) on each bound
 * function, through two `util.deprecate` wrappers: about 9 µs a call, 100 times the cost of the
 * call itself, and 4–6 % of the gateway's CPU per `POST /query` in profiles. This `bind` runs the
 * function in the resource's scope exactly as Node's does (same `this`, arguments and `length`),
 * without that accessor. Installed once, at the gateway's start.
 */
export function installLeanAsyncBind(): void {
  const proto = AsyncResource.prototype as unknown as { bind: (fn: (...args: unknown[]) => unknown, thisArg?: unknown) => unknown; leanBind?: true };
  if (proto.leanBind) return;
  proto.bind = function bind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function.');
    const resource = this;
    const bound = thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) { return resource.runInAsyncScope(fn, this, ...args); }
      : (...args: unknown[]) => resource.runInAsyncScope(fn, thisArg, ...args);
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
    return bound;
  };
  proto.leanBind = true;
}
