/**
 * The store against a hostile or damaged file: a symlinked store file is refused and its target
 * left alone (no chmod through the link); a store that does not parse is reported by position,
 * never by content; a profile nested too deep or holding an oversized token is "damaged" and does
 * not break inspect or later saves.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readStore, runCli, sampleProfile, tempConfigDir, writeStore } from '../helpers/cli.js';

test('a store file that is a symlink is refused, and the target keeps its mode', async () => {
  const cfg = tempConfigDir();
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-target-'));
  try {
    const target = path.join(elsewhere, 'victim.json');
    fs.writeFileSync(target, JSON.stringify({ version: 1, profiles: { a: sampleProfile() } }));
    fs.chmodSync(target, 0o644);
    fs.mkdirSync(cfg.dir, { recursive: true });
    fs.symlinkSync(target, path.join(cfg.dir, 'config.json'));
    const r = await runCli(['token', 'list'], { configDir: cfg.dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: the token store .*config\.json is a symbolic link/m);
    assert.equal(fs.statSync(target).mode & 0o777, 0o644, 'the symlink target was chmodded');
    const w = await runCli(['token', 'delete', 'a'], { configDir: cfg.dir });
    assert.equal(w.code, 1, w.stderr);
    assert.equal(fs.statSync(target).mode & 0o777, 0o644);
    assert.ok(fs.lstatSync(path.join(cfg.dir, 'config.json')).isSymbolicLink(), 'the link was replaced');
  } finally {
    cfg.cleanup();
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('a symlinked config directory of our own is resolved explicitly and tightened through no link', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-dirlink-'));
  try {
    const real = path.join(root, 'real');
    fs.mkdirSync(real, { mode: 0o755 });
    fs.chmodSync(real, 0o755);
    writeStore(real, { version: 1, profiles: { a: sampleProfile() } });
    fs.chmodSync(path.join(real, 'config.json'), 0o644);
    const link = path.join(root, 'link');
    fs.symlinkSync(real, link);
    const r = await runCli(['token', 'list'], { configDir: link });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.statSync(real).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(real, 'config.json')).mode & 0o777, 0o600);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a store that does not parse is reported by position, never by content', async () => {
  const cfg = tempConfigDir();
  try {
    writeStore(cfg.dir, '{\n  "version": 1,\n  "profiles": { "a": { "token": AT-5-SECRET-TOKEN } }\n}\n');
    const r = await runCli(['token', 'list'], { configDir: cfg.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not valid JSON \(at line 3, column 33\)/);
    assert.ok(!r.stderr.includes('AT-5') && !r.stderr.includes('SECRET'), r.stderr);
    // A message V8 words with a position is reported by position too.
    writeStore(cfg.dir, '{"profiles": {"a": {"token": "AT-5-SECRET-TOKEN",}}}');
    const r2 = await runCli(['token', 'list'], { configDir: cfg.dir });
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /is not valid JSON \(at line 1, column \d+\)/);
    assert.ok(!r2.stderr.includes('SECRET'), r2.stderr);
  } finally {
    cfg.cleanup();
  }
});

test('a profile nested 20,000 deep is damaged: inspect of others works and saves still succeed', async () => {
  const cfg = tempConfigDir();
  try {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const good = JSON.stringify(sampleProfile());
    const bad = JSON.stringify(sampleProfile({ details: { x: 0 } })).replace('{"x":0}', `{"x":${deep}}`);
    writeStore(cfg.dir, `{"version":1,"profiles":{"good":${good},"deep":${bad},"other":${good}}}`);
    const l = await runCli(['token', 'list'], { configDir: cfg.dir });
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stderr, /profile 'deep' .* is damaged \(nested deeper than 32 levels\)/);
    const i = await runCli(['token', 'inspect', 'deep'], { configDir: cfg.dir });
    assert.equal(i.code, 1, i.stderr);
    assert.match(i.stderr, /^error: profile 'deep' .* is damaged/m);
    assert.doesNotMatch(i.stderr, /bug/i);
    const d = await runCli(['token', 'delete', 'other'], { configDir: cfg.dir });
    assert.equal(d.code, 0, d.stderr);
    const after = readStore(cfg.dir);
    assert.deepEqual(Object.keys(after.profiles).sort(), ['deep', 'good']);
  } finally {
    cfg.cleanup();
  }
});

test('a profile with a 900 KB token is damaged (64 KiB limit), so exec never tries to pass it', async () => {
  const cfg = tempConfigDir();
  try {
    writeStore(cfg.dir, { version: 1, profiles: { huge: sampleProfile({ token: 'A'.repeat(900_000) }) } });
    const r = await runCli(['exec', '--profile', 'huge', '--', 'true'], { configDir: cfg.dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: profile 'huge' .* is damaged \(field 'token' is longer than 64 KiB\)/m);
    assert.doesNotMatch(r.stderr, /E2BIG|bug/);
  } finally {
    cfg.cleanup();
  }
});
