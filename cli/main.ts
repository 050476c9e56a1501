import { Command, CommanderError } from "commander";
import { describeError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./output";
import { UsageError } from "../core/errors";
import { registerDevCommand } from "./commands/dev";
import { registerDeployCommand } from "./commands/deploy";
import { registerQuoteCommands } from "./commands/quote";
import { registerAuditCommands } from "./commands/audit";
import { registerIndexerCommands } from "./commands/indexer";
import { registerAppCommands } from "./commands/app";
import { registerReleaseCommands } from "./commands/release";
import { registerPlatformCommands } from "./commands/platform";
import { registerKmsCommands } from "./commands/kms";
import { registerAgentCommands } from "./commands/agent";

/**
 * The one `basekms` CLI: `basekms <area> <verb>`. Each area registers its commands here.
 * Exit codes: 0 success, 1 refused or failed, 2 usage error.
 */
export function buildProgram(): Command {
  const program = new Command("basekms")
    .description("On-chain attested key management and transparency log for Intel TDX apps")
    .version(require("../package.json").version as string)
    .showHelpAfterError()
    .exitOverride();
  registerDevCommand(program);
  registerDeployCommand(program);
  registerQuoteCommands(program);
  registerAuditCommands(program);
  registerIndexerCommands(program);
  registerAppCommands(program);
  registerReleaseCommands(program);
  registerPlatformCommands(program);
  registerKmsCommands(program);
  registerAgentCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  applyRecursively(program, (command) => command.exitOverride());
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return EXIT_OK;
      }
      return EXIT_USAGE;
    }
    const { code, message } = describeError(error);
    process.stderr.write(`basekms: ${code}: ${message}\n`);
    return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
  }
}

function applyRecursively(command: Command, apply: (command: Command) => void): void {
  apply(command);
  for (const child of command.commands) applyRecursively(child, apply);
}
