import { describe, expect, it } from "vitest";
import { basekmsInvocations, checkMarkdownCommands } from "./support/cliCommands";
import { readRepoFile } from "./support/compose";

/**
 * Operators and auditors copy commands from these pages. Every `basekms …` written in them
 * (code blocks and inline code) must name a real command with real flags, checked against the
 * CLI's commander definitions; every `npm run` must name a real script.
 */
const PAGES = ["deploy/README.md", "docs/operations.md", "docs/auditor-guide.md", "docs/threat-model.md"] as const;
const scripts = (JSON.parse(readRepoFile("package.json")) as { scripts: Record<string, string> }).scripts;

describe.each(PAGES)("%s", (page) => {
  const markdown = readRepoFile(page);

  it("writes only basekms commands and flags that exist", () => {
    expect(basekmsInvocations(markdown).length).toBeGreaterThan(0);
    expect(checkMarkdownCommands(markdown)).toEqual([]);
  });

  it("runs only npm scripts that package.json defines", () => {
    for (const match of markdown.matchAll(/npm run ([a-z][\w:-]*)/g)) expect(scripts, `npm run ${match[1]}`).toHaveProperty(match[1] as string);
  });
});

describe("the docs command checker", () => {
  it("finds commands in code blocks, after pipes, across continuation lines and in inline code", () => {
    const markdown = [
      "Run `basekms kms serve --network sealed`.",
      "```sh",
      "basekms audit log --rpc $RPC \\",
      "  --kms https://kms.example",
      "echo x | basekms release hash app-compose.json",
      "# basekms not-a-command in a comment",
      "```",
    ].join("\n");
    expect(basekmsInvocations(markdown).map((rest) => rest.replace(/\s+/g, " ").trim())).toEqual([
      "audit log --rpc $RPC --kms https://kms.example",
      "release hash app-compose.json",
      "kms serve --network sealed",
    ]);
    expect(checkMarkdownCommands(markdown)).toEqual([]);
  });

  it("reports a flag or a command that does not exist (mutation check)", () => {
    const problems = checkMarkdownCommands("```\nbasekms platform allow --platform 0x00\nbasekms kms start\n```\n");
    expect(problems.map((problem) => problem.problem)).toEqual([
      '"basekms platform allow" has no option --platform',
      '"basekms kms" has no subcommand "start"',
    ]);
  });
});
