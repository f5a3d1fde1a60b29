/**
 * The one definition of where the store lives: AUTHCTL_CONFIG_DIR, else the platform config
 * directory. Paths are the ones the `env-paths` package gives (without its `-nodejs` suffix), which
 * earlier versions used; written out here because that package reads `os.homedir()` when it loads,
 * and compiling node:os costs every `token print` about 1 ms (docs/performance.md).
 */
import { join, resolve } from 'node:path';

/** Name of the store file inside the config directory (conf's default config name). */
export const STORE_BASENAME = 'config.json';

/** The config directory: AUTHCTL_CONFIG_DIR, else the platform config dir. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.AUTHCTL_CONFIG_DIR;
  if (override) return resolve(override);
  return platformConfigDir(env, process.platform, homeDir);
}

/**
 * The platform config directory for authctl:
 * Linux and others `$XDG_CONFIG_HOME/authctl` (XDG Base Directory Specification), else
 * `~/.config/authctl`; macOS `~/Library/Preferences/authctl`; Windows `%APPDATA%\authctl\Config`.
 */
export function platformConfigDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: (env: NodeJS.ProcessEnv) => string,
): string {
  if (platform === 'darwin') return join(home(env), 'Library', 'Preferences', 'authctl');
  if (platform === 'win32')
    return join(env.APPDATA || join(home(env), 'AppData', 'Roaming'), 'authctl', 'Config');
  return join(env.XDG_CONFIG_HOME || join(home(env), '.config'), 'authctl');
}

/** The home directory: $HOME on POSIX when set (what os.homedir() returns then), else os.homedir(). */
function homeDir(env: NodeJS.ProcessEnv): string {
  if (process.platform !== 'win32' && env.HOME) return env.HOME;
  return process.getBuiltinModule('node:os').homedir();
}

/** Absolute path of the store file. */
export function storePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), STORE_BASENAME);
}
