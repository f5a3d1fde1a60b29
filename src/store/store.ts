/**
 * The token store: one JSON file (conf's format: a plain object) holding a schema version and the
 * profiles. Reads parse the file directly (no conf/ajv on the hot path); writes are atomic (temp file +
 * rename, see write()) under a cross-process lock, re-reading the file inside the lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { asInterrupted, NoTokenError, StoreError, UsageError } from '../errors.js';
import { terminalSafe } from '../lib/text.js';
import { withLock } from './lock.js';
import { configDir, STORE_BASENAME } from './paths.js';
import { MAX_PROFILE_DEPTH, type Profile, parseProfile, savedParams, stringifyIterative } from './profile.js';

/** open(2) flags: never follow a symlink in the last path component (0 where the platform has none). */
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = fs.constants.O_DIRECTORY ?? 0;

/** Change the mode of `p` through a descriptor opened without following symlinks (fchmod). */
function chmodNoFollow(p: string, mode: number, dir: boolean): void {
  const fd = fs.openSync(p, fs.constants.O_RDONLY | O_NOFOLLOW | (dir ? O_DIRECTORY : 0));
  try {
    fs.fchmodSync(fd, mode);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * "line L, column C" of a byte offset in `text`, for parse errors: the position only, never the
 * content around it (the store holds tokens).
 */
export function positionOf(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * Where JSON.parse stopped in `text`. V8 names the position only for some errors ("… at position
 * N"); for the others it quotes the text instead, which must not be shown. Then the position is
 * found by parsing ever longer prefixes: the first prefix length at which the error is no longer
 * "unexpected end" is where the bad character is.
 */
function jsonErrorOffset(text: string, message: string): number | undefined {
  const m = /at position (\d+)/.exec(message);
  if (m) return Number(m[1]);
  let lo = 0;
  let hi = text.length;
  const endError = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      const msg = (e as Error).message;
      const at = /at position (\d+)/.exec(msg);
      return at ? Number(at[1]) >= n : /end of JSON input/.test(msg);
    }
  };
  // Prefixes up to the bad character fail only with "unexpected end"; find the longest such one.
  if (!endError(0)) return 0;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (endError(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** One line of server text as stored: terminalSafe (src/lib/text.ts) with tabs and newlines as spaces. */
function oneLine(s: string): string {
  return terminalSafe(s).replace(/[\t\n]+/g, ' ');
}

/** Every string inside `v` made one clean line (details are small: depth-bounded by parseProfile). */
function cleanValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return oneLine(v);
  if (depth > MAX_PROFILE_DEPTH || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => cleanValue(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [oneLine(k), cleanValue(x, depth + 1)]));
}

/**
 * The profile as the file keeps it: parameters in their stored shapes with the unknown ones back
 * among them (savedParams), descriptive text cleaned, the secrets (validated as visible ASCII) untouched.
 */
export function cleanProfile(p: Profile): Record<string, unknown> {
  const { unknownParams: _, ...rest } = p;
  const out: Record<string, unknown> = {
    ...rest,
    subject: p.subject === null ? null : oneLine(p.subject),
    scopes: p.scopes.map(oneLine),
    params: cleanValue(savedParams(p)),
  };
  if (p.details !== undefined) out.details = cleanValue(p.details);
  return out;
}

/** Schema version written by this build. A newer one is refused, never rewritten. */
export const SCHEMA_VERSION = 1;

/** A profile that is present in the file but does not validate. */
export interface BrokenProfile {
  name: string;
  reason: string;
}

/** What a read of the store found. */
export interface StoreSnapshot {
  profiles: Map<string, Profile>;
  broken: BrokenProfile[];
}

/** Where warnings (permission tightening) go. */
export type Warn = (message: string) => void;

/** The token store bound to a directory. */
export class TokenStore {
  readonly dir: string;
  readonly file: string;
  private readonly warn: Warn;
  private warnedModes = false;
  /**
   * The snapshot resolveName() just read, handed to the get() that follows it in the same
   * synchronous run (`token print`, `exec` without a name), so a command reads the file once. Never
   * used under a profile lock, where the file must be read afresh.
   */
  private handover: StoreSnapshot | undefined;
  private locks = 0;

  /** `providers`: the provider names the registry knows; profiles of others read as damaged. */
  private readonly providers: readonly string[] | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env, warn: Warn = () => {}, providers?: readonly string[]) {
    this.dir = configDir(env);
    this.file = path.join(this.dir, STORE_BASENAME);
    this.warn = warn;
    this.providers = providers;
  }

  /** Read and parse the store. A missing file is an empty store; an unparseable one is an error. */
  read(): StoreSnapshot {
    const text = this.readText();
    if (text === undefined) return { profiles: new Map(), broken: [] };
    this.tightenModes();
    return this.parse(text);
  }

  /**
   * The store's text, or undefined when there is none. Opened with O_NOFOLLOW: a store file that is
   * a symlink is refused (its target could be any file of the user's, and authctl would tighten and
   * rewrite it); a symlinked config directory is allowed (see checkedDir).
   */
  private readText(): string | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.file, fs.constants.O_RDONLY | O_NOFOLLOW);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (code === 'ELOOP') throw this.symlinkError();
      throw new StoreError(`cannot read the token store ${this.file}: ${(e as Error).message}`);
    }
    try {
      return fs.readFileSync(fd, 'utf8');
    } catch (e) {
      throw new StoreError(`cannot read the token store ${this.file}: ${(e as Error).message}`);
    } finally {
      fs.closeSync(fd);
    }
  }

  private symlinkError(): StoreError {
    return new StoreError(
      `the token store ${this.file} is a symbolic link; authctl refuses to read or change it`,
      `Replace the link with the real file (mv "$(readlink -f "${this.file}")" "${this.file}"), or point AUTHCTL_CONFIG_DIR at the directory that holds it.`,
      'store.symlink',
    );
  }

  private parse(text: string): StoreSnapshot {
    const raw = this.parseRaw(text);
    const profiles = new Map<string, Profile>();
    const broken: BrokenProfile[] = [];
    for (const [name, value] of Object.entries(raw.profiles)) {
      const r = parseProfile(value, this.providers);
      if (r.ok) profiles.set(name, r.profile);
      else broken.push({ name, reason: r.reason });
    }
    return { profiles, broken };
  }

  private parseRaw(text: string): { version: number; profiles: Record<string, unknown> } {
    const hint = `Move it aside (mv "${this.file}" "${this.file}.bak") and log in again; authctl never overwrites it.`;
    let data: unknown;
    if (text.trim() === '') data = {};
    else {
      try {
        data = JSON.parse(text);
      } catch (e) {
        // The position only: V8's message quotes the text around the error, and that is a token.
        const at = jsonErrorOffset(text, (e as Error).message);
        throw new StoreError(
          `the token store ${this.file} is not valid JSON${at === undefined ? '' : ` (at ${positionOf(text, at)})`}`,
          hint,
          'store.corrupt',
        );
      }
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new StoreError(`the token store ${this.file} is not a JSON object`, hint);
    }
    const obj = data as Record<string, unknown>;
    const version = obj.version ?? SCHEMA_VERSION;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      throw new StoreError(`the token store ${this.file} has an invalid schema version`, hint);
    }
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `the token store ${this.file} was written by a newer authctl (schema ${version}; this build reads ${SCHEMA_VERSION})`,
        'Upgrade authctl (npm install -g authctl), or point AUTHCTL_CONFIG_DIR elsewhere.',
      );
    }
    const profiles = obj.profiles ?? {};
    if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
      throw new StoreError(`the token store ${this.file} has an invalid 'profiles' field`, hint);
    }
    return { version, profiles: profiles as Record<string, unknown> };
  }

  /** A profile by name; exit 4 when absent, exit 1 naming the file when it is broken. */
  get(name: string, given?: StoreSnapshot): Profile {
    const snap = given ?? (this.locks === 0 ? this.handover : undefined) ?? this.read();
    this.handover = undefined;
    const p = snap.profiles.get(name);
    if (p) return p;
    const broken = snap.broken.find((b) => b.name === name);
    if (broken) {
      throw new StoreError(
        `profile '${name}' in ${this.file} is damaged (${broken.reason})`,
        `Delete it with 'authctl token delete ${name}' and log in again.`,
      );
    }
    const names = [...snap.profiles.keys()];
    throw new NoTokenError(
      `no profile named '${name}'`,
      names.length
        ? `Known profiles: ${names.join(', ')}.`
        : 'Log in first, e.g. authctl pryv request --help.',
    );
  }

  /**
   * Resolve an optional profile argument: the argument, else AUTHCTL_PROFILE (which must name a
   * saved profile: the error says the name came from the variable), else the only profile — the
   * only one of `provider` for a provider's own commands; otherwise exit 2 listing the candidates.
   */
  resolveName(
    arg: string | undefined,
    env: NodeJS.ProcessEnv,
    given?: StoreSnapshot,
    provider?: Profile['provider'],
  ): string {
    if (arg) return arg;
    const snap = given ?? this.read();
    if (!given) {
      this.handover = snap;
      queueMicrotask(() => {
        this.handover = undefined;
      });
    }
    const all = [...snap.profiles.keys(), ...snap.broken.map((b) => b.name)];
    const fromEnv = env.AUTHCTL_PROFILE;
    if (fromEnv) {
      if (all.includes(fromEnv)) return fromEnv;
      throw new NoTokenError(
        `no profile named '${fromEnv}' (the name comes from AUTHCTL_PROFILE)`,
        all.length
          ? `Set AUTHCTL_PROFILE to one of ${all.join(', ')}, or unset it.`
          : 'Unset AUTHCTL_PROFILE, or log in first (e.g. authctl pryv request --help).',
      );
    }
    const names = provider
      ? [...snap.profiles].filter(([, p]) => p.provider === provider).map(([n]) => n)
      : all;
    if (names.length === 1) return names[0]!;
    const of = provider ? ` ${provider}` : '';
    if (names.length === 0) {
      throw new NoTokenError(
        `no${of} profiles saved yet`,
        provider
          ? `Log in first (authctl ${provider} --help), or name the profile.`
          : 'Log in first, e.g. authctl pryv request --help.',
      );
    }
    throw new UsageError(
      `several${of} profiles exist (${names.join(', ')}); name one`,
      'Pass the profile name, or set AUTHCTL_PROFILE.',
    );
  }

  /**
   * Change the store under the store lock: the file is re-read inside the lock, `mutate` edits the
   * raw profiles object (damaged entries are kept as they are), and the result is written atomically.
   */
  async update<T>(
    mutate: (profiles: Record<string, unknown>) => T | Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    this.ensureDir();
    return withLock(
      `${this.file}.lock`,
      async () => {
        const text = this.readText() ?? '';
        const { profiles } = this.parseRaw(text);
        this.removeStaleTempFiles();
        const result = await mutate(profiles);
        // Last chance to honour Ctrl-C: after this point the write is atomic and quick.
        if (signal?.aborted) throw asInterrupted(signal);
        await this.write({ version: SCHEMA_VERSION, profiles });
        return result;
      },
      { signal, what: 'the token store lock', staleMs: 10_000 },
    );
  }

  /**
   * Save (create or replace) one profile. Server-given text (subject, scopes, parameters, details)
   * is stored already clean: no terminal control characters, bidi overrides or line separators
   * (see cleanProfile), whatever path it took into the profile.
   */
  async save(name: string, profile: Profile, signal?: AbortSignal): Promise<void> {
    const clean = cleanProfile(profile);
    await this.update((profiles) => {
      profiles[name] = clean;
    }, signal);
  }

  /** Delete one profile; returns whether it existed. */
  async delete(name: string, signal?: AbortSignal): Promise<boolean> {
    return this.update((profiles) => {
      const had = Object.hasOwn(profiles, name);
      delete profiles[name];
      return had;
    }, signal);
  }

  /**
   * Get a token for profile `name` without racing other processes: under the profile's lock,
   * re-read the profile (another process may have just obtained one); if `reuse(current)` says
   * it will do, return it; otherwise `fetch(current)` a new one and save it before the lock is
   * released. Used by renewal and by client-credentials logins, so parallel runs make one request.
   */
  obtainUnderLock(
    name: string,
    reuse: (current: Profile | undefined) => boolean,
    fetch: (current: Profile | undefined) => Promise<Profile>,
    signal?: AbortSignal,
  ): Promise<{ profile: Profile; fetched: boolean }> {
    return this.withProfileLock(
      name,
      async () => {
        const current = this.read().profiles.get(name);
        if (current && reuse(current)) return { profile: current, fetched: false };
        const profile = await fetch(current);
        await this.save(name, profile, signal);
        return { profile, fetched: true };
      },
      signal,
    );
  }

  /** Run `fn` holding the per-profile lock (renewal: read → check → fetch → write). */
  withProfileLock<T>(name: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.ensureDir();
    const safe = Buffer.from(name).toString('hex');
    const locked = async () => {
      this.locks++;
      this.handover = undefined;
      try {
        return await fn();
      } finally {
        this.locks--;
      }
    };
    return withLock(path.join(this.dir, `.profile-${safe}.lock`), locked, {
      signal,
      waitMs: 180_000,
      staleMs: 10_000,
      what: `the lock of profile '${name}'`,
    });
  }

  /**
   * Atomic write: a 0600 temp file beside the store (named like the ones removeStaleTempFiles cleans),
   * flushed to disk, then renamed over the store. Done here rather than through conf: conf's writer
   * (atomically → when-exit) hooks SIGINT/SIGTERM on import and re-raises them, so one Ctrl-C after a
   * save reached main.ts twice and was taken for a second, forceful one (exit without a message, an
   * `exec` child abandoned). The file keeps conf's format (a JSON object, tab-indented).
   */
  private async write(data: { version: number; profiles: Record<string, unknown> }): Promise<void> {
    const tmp = `${this.file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    try {
      let text: string;
      try {
        text = JSON.stringify(data, undefined, '\t');
      } catch (e) {
        // A damaged profile nested too deep for the recursive serialiser is kept as it is (compact).
        if (!(e instanceof RangeError)) throw e;
        text = stringifyIterative(data);
      }
      // Created exclusively (O_EXCL never follows a symlink), so the mode is set on our own new file.
      const fd = fs.openSync(tmp, 'wx', 0o600);
      try {
        // Set on every write: the umask may have narrowed the mode, and a store chmodded by hand must
        // come back to 0600; rename keeps this file's mode. fchmod: never through a path.
        if (process.platform !== 'win32') fs.fchmodSync(fd, 0o600);
        fs.writeSync(fd, `${text}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
    } catch (e) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* never created, or already renamed */
      }
      throw new StoreError(`cannot write the token store ${this.file}: ${(e as Error).message}`);
    }
  }

  /**
   * Every writer holds the store lock, so a temp file (atomic write: temp + rename) present while we
   * hold it was left by a writer that was killed mid-write: remove it.
   */
  private removeStaleTempFiles(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith(`${STORE_BASENAME}.tmp-`)) {
        try {
          fs.unlinkSync(path.join(this.dir, n));
        } catch {
          /* already gone */
        }
      }
    }
  }

  private ensureDir(): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new StoreError(`cannot create the config directory ${this.dir}: ${(e as Error).message}`);
    }
    if (process.platform === 'win32') return;
    const dir = this.checkedDir();
    try {
      const st = fs.statSync(dir);
      // Never tighten a shared sticky directory (AUTHCTL_CONFIG_DIR=/tmp would be a mistake, not a request).
      if ((st.mode & 0o1777) !== 0o700 && (st.mode & 0o1000) === 0) chmodNoFollow(dir, 0o700, true);
    } catch (e) {
      throw new StoreError(`cannot secure the config directory ${this.dir}: ${(e as Error).message}`);
    }
  }

  /**
   * The config directory with a symlink resolved explicitly (dotfile setups link ~/.config/authctl
   * elsewhere): accepted only when the real directory belongs to the user running authctl, so
   * tightening its mode can never reach somebody else's directory.
   */
  private checkedDir(): string {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(this.dir);
    } catch {
      return this.dir;
    }
    if (!st.isSymbolicLink()) return this.dir;
    const real = fs.realpathSync(this.dir);
    const uid = process.getuid?.();
    if (uid !== undefined && fs.statSync(real).uid !== uid) {
      throw new StoreError(
        `the config directory ${this.dir} is a symbolic link to ${real}, which belongs to another user`,
        'Point AUTHCTL_CONFIG_DIR at a directory of your own.',
        'store.symlink',
      );
    }
    return real;
  }

  /** Tighten a store or directory readable by group/others back to 0600/0700, with a warning. */
  private tightenModes(): void {
    if (process.platform === 'win32' || this.warnedModes) return;
    this.warnedModes = true;
    let dir: string;
    try {
      dir = this.checkedDir();
    } catch {
      return; // someone else's directory: never touched
    }
    for (const [p, mode, shown] of [
      [dir, 0o700, this.dir],
      [this.file, 0o600, this.file],
    ] as const) {
      try {
        // lstat: a symlink is never followed (the store file itself was opened with O_NOFOLLOW).
        const st = fs.lstatSync(p);
        if (st.isSymbolicLink()) continue;
        // A shared sticky directory (AUTHCTL_CONFIG_DIR=/tmp) is never tightened, as in ensureDir().
        if (st.isDirectory() && (st.mode & 0o1000) !== 0) continue;
        if ((st.mode & 0o077) !== 0) {
          chmodNoFollow(p, mode, st.isDirectory());
          this.warn(`${shown} was accessible by other users; its mode is now ${mode.toString(8)}.`);
        }
      } catch {
        /* not there or not ours: nothing to tighten */
      }
    }
  }
}
