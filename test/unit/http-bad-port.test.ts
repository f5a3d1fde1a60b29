import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetworkError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/client.js';

test('a port fetch blocks (Fetch standard "bad port") is a clear one-line error, not "fetch failed"', async () => {
  // fetch refuses port 9 before connecting, so nothing is sent anywhere.
  const http = createHttpClient({ insecure: false, debug: () => {} });
  await assert.rejects(
    http.request({ method: 'GET', url: 'http://127.0.0.1:9/x' }),
    (e: unknown) =>
      e instanceof NetworkError &&
      /blocked ports/.test(e.message) &&
      e.hint === 'Serve the endpoint on another port.',
  );
});
