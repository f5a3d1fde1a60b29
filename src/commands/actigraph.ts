/** Placeholder until the actigraph flow lands. */
import type { Context } from '../context.js';
import { FailureError } from '../errors.js';
/** Not implemented yet. */
export async function token(_ctx: Context, ..._args: unknown[]): Promise<void> {
  throw new FailureError('not implemented yet');
}
