/** `authctl completion bash|zsh|fish|powershell`: print the completion script for a shell. */
import type { Command } from 'commander';
import { type CompletionShell, completionScript } from '../cli/completion.js';
import type { Context } from '../context.js';

export async function completion(ctx: Context, shell: string, root: Command): Promise<void> {
  ctx.io.out(completionScript(shell as CompletionShell, root));
}
