/** `authctl oauth …`: the generic engine declares its own commands (src/oauth/cli/commands.ts). */
export { registerOAuthCommands as register } from '../../oauth/cli/commands.js';
