/**
 * Fixture hooks for the fake servers, in the manner of configDirPerTest(): each registers the
 * node:test hooks that start a server and stop it, so a test file holds no set-up block of its own.
 */
import { after, afterEach, before } from 'node:test';

/** Anything with a close(). */
export interface Closable {
  close(): unknown;
}

/**
 * Start one server before the tests of the file (or of the `describe` it is called in) and close it
 * after them; returns its getter. The getter throws when called before the `before` hook ran.
 * On Node 20 the file-level `before` hooks start together rather than one after the other, so
 * what depends on the server (event listeners, a second server) belongs in `start` itself.
 */
export function useServer<T extends Closable>(start: () => Promise<T>): () => T {
  let server: T | undefined;
  before(async () => {
    server = await start();
  });
  after(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('a server fixture was used outside a test (before its before() hook ran)');
    return server;
  };
}

/**
 * Servers a test starts for itself: returns the starter, and every server it started is closed
 * after each test (so a test needs no try/finally of its own). Not for files whose tests run
 * concurrently.
 */
export function serversPerTest<A extends unknown[], T extends Closable>(
  start: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  const open: T[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (...args: A) => {
    const s = await start(...args);
    open.push(s);
    return s;
  };
}
