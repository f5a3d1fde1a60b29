/** The one definition of where the store lives: AUTHCTL_CONFIG_DIR, else the platform config dir. */
import path from 'node:path';
import envPaths from 'env-paths';

/** Name of the store file inside the config directory (conf's default config name). */
export const STORE_BASENAME = 'config.json';

/** The config directory: AUTHCTL_CONFIG_DIR, else the platform config dir without a `-nodejs` suffix. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.AUTHCTL_CONFIG_DIR;
  if (override) return path.resolve(override);
  return envPaths('authctl', { suffix: '' }).config;
}

/** Absolute path of the store file. */
export function storePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), STORE_BASENAME);
}
