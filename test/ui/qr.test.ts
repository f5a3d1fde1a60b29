/** `--qr` (src/ui/qr.ts): half-block characters, and a sentence instead of a block that cannot fit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IO } from '../../src/ui/io.js';
import { drawQr, showQr } from '../../src/ui/qr.js';

const shortUrl =
  'https://sw.pryv.me/access/access.html/?&pollUrl=https%3A%2F%2Freg.pryv.me%2Faccess%2FAbCdEfGhIjKlMnOp&cli=1';
const longUrl =
  'https://sw.pryv.me/access/access.html?lang=en&key=AbCdEfGhIjKlMnOp&requestingAppId=my-app-id&poll=https%3A%2F%2Freg.pryv.me%2Freg%2Faccess%2FAbCdEfGhIjKlMnOp&poll_rate_ms=1000&serviceInfo=https%3A%2F%2Freg.pryv.me%2Freg%2Fservice%2Finfo&cli=1';

function capture(): { io: IO; text: () => string } {
  let out = '';
  const io = {
    out: () => {},
    err: (t: string) => {
      out += t;
    },
    interactive: true,
    color: false,
    verbose: false,
    debug: () => {},
    readStdin: async () => '',
  } satisfies IO;
  return { io, text: () => out };
}

test('two modules per cell: only ▀ ▄ █ and space, square, about half as many rows as modules', async () => {
  const qr = await drawQr(shortUrl);
  for (const l of qr.lines) assert.match(l, /^[▀▄█ ]+$/u);
  // Version 6 (41 modules) plus a one-module quiet zone each side: 43 columns, 22 rows.
  assert.equal(qr.width, 43);
  assert.equal(qr.height, Math.ceil(43 / 2));
});

test('fits: drawn; does not fit: one sentence naming the size it needs, nothing drawn', async () => {
  const a = capture();
  assert.equal(await showQr(a.io, shortUrl, { cols: 80, rows: 24 }), true);
  assert.match(a.text(), /█/);
  assert.ok(a.text().trimEnd().split('\n').length <= 23);

  const b = capture();
  assert.equal(await showQr(b.io, longUrl, { cols: 80, rows: 24 }), false);
  assert.doesNotMatch(b.text(), /[▀▄█]/u);
  assert.match(b.text(), /needs a terminal of at least 59 columns and 31 rows, and this one is 80×24/);

  const c = capture();
  assert.equal(await showQr(c.io, longUrl, { cols: 80, rows: 40 }), true);
  const d = capture();
  assert.equal(await showQr(d.io, longUrl, { cols: 50, rows: 60 }), false, 'too narrow');
  // Not a terminal (a file, a pipe): always drawn.
  const e = capture();
  assert.equal(await showQr(e.io, longUrl, null), true);
});
