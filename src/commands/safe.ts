/** Placeholder until the safe flow lands. */
import type { Context } from '../context.js';
import { FailureError } from '../errors.js';
/** Not implemented yet. */
export async function authorize(_ctx: Context, ..._args: unknown[]): Promise<void> {
  throw new FailureError('not implemented yet');
}
/** Not implemented yet. */
export async function status(_ctx: Context, ..._args: unknown[]): Promise<void> {
  throw new FailureError('not implemented yet');
}
/** Not implemented yet. */
export async function revoke(_ctx: Context, ..._args: unknown[]): Promise<void> {
  throw new FailureError('not implemented yet');
}
