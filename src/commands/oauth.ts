/** Placeholder until the oauth flow lands. */
import type { Context } from '../context.js';
import { FailureError } from '../errors.js';
/** Not implemented yet. */
export async function clientCredentials(_ctx: Context, ..._args: unknown[]): Promise<void> {
  throw new FailureError('not implemented yet');
}
/** Not implemented yet. */
export async function login(_ctx: Context, ..._args: unknown[]): Promise<void> {
  throw new FailureError('not implemented yet');
}
