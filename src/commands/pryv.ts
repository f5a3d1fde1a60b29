/** Placeholder until the pryv flow lands. */
import type { Context } from '../context.js';
import { FailureError } from '../errors.js';
/** Not implemented yet. */
export async function request(_ctx: Context, ..._args: unknown[]): Promise<void> {
  throw new FailureError('not implemented yet');
}
/** Not implemented yet. */
export async function poll(_ctx: Context, ..._args: unknown[]): Promise<void> {
  throw new FailureError('not implemented yet');
}
