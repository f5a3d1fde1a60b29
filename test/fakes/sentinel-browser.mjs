#!/usr/bin/env node
/**
 * A stand-in browser for CLI tests (BROWSER="node test/fakes/sentinel-browser.mjs"): GETs the
 * authorize URL (the last argument) and follows redirects over plain http — to the fake Sentinel
 * and then to authctl's loopback listener — as a user clicking "Allow" would. Loopback only.
 */
import http from 'node:http';

const get = (url) =>
  new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location }));
    });
    req.on('error', reject);
  });

let url = process.argv[process.argv.length - 1];
for (let hop = 0; hop < 5 && url; hop++) {
  const u = new URL(url);
  if (u.protocol !== 'http:' || !/^(127\.0\.0\.1|localhost|\[::1\])$/.test(u.hostname)) break;
  const r = await get(url).catch(() => ({ status: 0, location: undefined }));
  url = r.status >= 300 && r.status < 400 && r.location ? new URL(r.location, url).toString() : undefined;
}
