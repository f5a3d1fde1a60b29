import type { Command } from 'commander';

/** authctl's program, as `buildProgram(makeContext)` in src/cli/program.ts declares it. */
export function loadProgram(): Promise<Command>;
/** Renders every page of `program` (default: authctl's): file name → markdown. */
export function renderCommandDocs(program?: Command): Promise<Map<string, string>>;
/** Writes the pages into `dir`, removing generated pages that no longer exist. */
export function writeCommandDocs(dir: string, program?: Command): Promise<Map<string, string>>;
