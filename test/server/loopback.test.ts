import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { test } from 'node:test';
import { ExitCode, FailureError } from '../../src/errors.js';
import { bindAddresses, listenLoopback } from '../../src/server/loopback.js';
import {
  alreadyFinishedPage,
  errorPage,
  escapeHtml,
  type Page,
  successPage,
} from '../../src/server/pages.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(
  port: number,
  path: string,
  opts: { host?: string; method?: string; address?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: opts.address ?? '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: { host: opts.host ?? `127.0.0.1:${port}` },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const base = { path: '/callback', redirectUri: 'http://127.0.0.1:0/callback' };

test('only GET on the callback path with a loopback Host reaches the handler', async () => {
  const seen: string[] = [];
  const srv = await listenLoopback({
    ...base,
    hostname: '127.0.0.1',
    port: 0,
    onCallback: async (url) => {
      seen.push(url.search);
      return successPage('Test IdP');
    },
  });
  try {
    assert.ok(srv.port > 0);
    for (const path of ['/', '/callback/', '/callbackx', '/favicon.ico', '/other?code=x']) {
      const r = await get(srv.port, path);
      assert.equal(r.status, 404, path);
    }
    assert.equal((await get(srv.port, '/callback?code=x', { method: 'POST' })).status, 404);
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
    assert.equal((await get(srv.port, '/callback?code=x', { host: 'evil.example' })).status, 404);
    assert.deepEqual(seen, []);
    const ok = await get(srv.port, '/callback?code=a&state=b');
    assert.equal(ok.status, 200);
    assert.match(ok.body, /Login complete/);
    assert.match(ok.body, /Test IdP/);
    assert.equal(ok.headers['cache-control'], 'no-store');
    assert.equal(ok.headers['referrer-policy'], 'no-referrer');
    assert.match(String(ok.headers['content-security-policy']), /default-src 'none'/);
    assert.equal(ok.headers.connection, 'close');
    assert.deepEqual(seen, ['?code=a&state=b']);
    assert.equal((await get(srv.port, '/callback?x', { host: 'localhost' })).status, 200);
  } finally {
    await srv.close();
  }
});

test('the listener is bound to loopback only', async (t) => {
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  const srv = await listenLoopback({
    ...base,
    hostname: '127.0.0.1',
    port: 0,
    onCallback: async () => successPage('x'),
  });
  try {
    if (!external) {
      t.skip('no non-loopback IPv4 address on this machine');
      return;
    }
    await assert.rejects(
      new Promise<void>((resolve, reject) => {
        const s = net.connect({ host: external, port: srv.port }, () => {
          s.destroy();
          resolve();
        });
        s.on('error', reject);
      }),
      /ECONNREFUSED/,
    );
  } finally {
    await srv.close();
  }
});

test('a port already in use is exit 1 naming the redirect URI and the flag', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await assert.rejects(
      listenLoopback({
        path: '/callback',
        redirectUri: `http://127.0.0.1:${port}/callback`,
        hostname: '127.0.0.1',
        port,
        onCallback: async () => successPage('x'),
      }),
      (e: unknown) =>
        e instanceof FailureError &&
        e.exitCode === ExitCode.failure &&
        e.message.includes(`port ${port}`) &&
        e.message.includes(`http://127.0.0.1:${port}/callback`) &&
        /--redirect-uri/.test(e.hint ?? ''),
    );
  } finally {
    blocker.close();
  }
});

test('close() waits until the response in progress has been sent', async () => {
  let release!: () => void;
  const arrived = new Promise<void>((r) => {
    release = r;
  });
  const srv = await listenLoopback({
    ...base,
    hostname: '127.0.0.1',
    port: 0,
    onCallback: async () => {
      release();
      await new Promise((r) => setTimeout(r, 200));
      return successPage('slow');
    },
  });
  const reply = get(srv.port, '/callback?code=1');
  await arrived;
  const t0 = Date.now();
  await srv.close();
  assert.ok(Date.now() - t0 >= 150, 'close waited for the handler');
  const r = await reply;
  assert.equal(r.status, 200);
  assert.match(r.body, /slow/);
  assert.match(r.body, /<\/html>/);
  // Closed now.
  await assert.rejects(get(srv.port, '/callback'), /ECONNREFUSED/);
});

test('a handler that throws still answers with an escaped error page', async () => {
  const srv = await listenLoopback({
    ...base,
    hostname: '127.0.0.1',
    port: 0,
    onCallback: async (): Promise<Page> => {
      throw new Error('<img src=x onerror=alert(1)>');
    },
  });
  try {
    const r = await get(srv.port, '/callback');
    assert.equal(r.status, 400);
    assert.ok(!r.body.includes('<img'));
    assert.ok(r.body.includes('&lt;img src=x onerror=alert(1)&gt;'));
  } finally {
    await srv.close();
  }
});

test('localhost listens on both 127.0.0.1 and ::1 (when the machine has IPv6), on one port', async () => {
  assert.deepEqual(bindAddresses('localhost'), ['127.0.0.1', '::1']);
  assert.deepEqual(bindAddresses('[::1]'), ['::1']);
  assert.deepEqual(bindAddresses('127.0.0.2'), ['127.0.0.2']);
  const srv = await listenLoopback({
    ...base,
    hostname: 'localhost',
    port: 0,
    onCallback: async () => successPage('both'),
  });
  try {
    assert.equal((await get(srv.port, '/callback', { host: 'localhost' })).status, 200);
    const v6 = await get(srv.port, '/callback', { address: '::1', host: 'localhost' }).catch(() => undefined);
    if (v6) assert.equal(v6.status, 200);
  } finally {
    await srv.close();
  }
});

test('pages escape every value', () => {
  assert.equal(
    escapeHtml(`<a href="x" onclick='y'>&\`</a>`),
    '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
  );
  const hostile = '"><script>alert(document.cookie)</script>';
  for (const page of [errorPage(hostile, hostile), successPage(hostile)]) {
    assert.ok(!page.html.includes('<script'), 'no raw script');
    assert.ok(page.html.includes('&lt;script&gt;'));
  }
  assert.equal(alreadyFinishedPage().status, 409);
  assert.match(alreadyFinishedPage().html, /already finished/);
});
