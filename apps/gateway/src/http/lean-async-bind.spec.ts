import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installLeanAsyncBind } from './lean-async-bind';

describe('installLeanAsyncBind', () => {
  installLeanAsyncBind();
  const storage = new AsyncLocalStorage<string>();
  function echo(this: unknown, a: number, b: number) {
    return { self: this, args: [a, b], store: storage.getStore() };
  }

  it('runs a bound function in the scope the resource was made in, with its caller\'s this and arguments', () => {
    const resource = storage.run('request 1', () => new AsyncResource('test'));
    const bound = resource.bind(echo);
    expect(bound.length).toBe(2);
    expect(storage.run('request 2', () => bound.call('caller', 1, 2))).toEqual({ self: 'caller', args: [1, 2], store: 'request 1' });
  });

  it('keeps a given this, as Node\'s bind does', () => {
    const resource = storage.run('request 1', () => new AsyncResource('test'));
    // Node accepts a thisArg here; its typings do not say so.
    const bind = resource.bind as unknown as (this: AsyncResource, fn: typeof echo, thisArg: unknown) => typeof echo;
    expect(bind.call(resource, echo, 'fixed')(3, 4)).toEqual({ self: 'fixed', args: [3, 4], store: 'request 1' });
  });

  it('refuses what is not a function', () => {
    // By message, not by class: AsyncResource is shared by every test file of a Jest worker, so
    // the bind in place may have been installed by another file, whose TypeError is another realm's.
    expect(() => new AsyncResource('test').bind(42 as never)).toThrow('The "fn" argument must be of type function.');
  });
});
