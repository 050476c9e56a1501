import type { Command } from "commander";
import { buildProgram } from "../../../cli/main";

/**
 * Checks `basekms …` command lines written in deploy files and docs against the real commander
 * definitions (cli/main.ts `buildProgram`), so a renamed command or flag fails a test instead
 * of an operator at 3 a.m.
 */
export interface CommandProblem {
  commandLine: string;
  problem: string;
}

let cachedProgram: Command | undefined;
function program(): Command {
  cachedProgram ??= buildProgram();
  return cachedProgram;
}

/** Long and short option names a command accepts, help included. */
export function optionNames(command: Command): Set<string> {
  const names = new Set<string>(["--help", "-h"]);
  for (const option of command.options) {
    if (option.long) names.add(option.long);
    if (option.short) names.add(option.short);
  }
  if (command === program()) names.add("--version").add("-V");
  return names;
}

/** The subcommand at `path` (e.g. ["kms", "serve"]), or undefined. */
export function findCommand(path: readonly string[]): Command | undefined {
  let current: Command | undefined = program();
  for (const name of path) {
    current = current?.commands.find((command) => command.name() === name);
    if (!current) return undefined;
  }
  return current;
}

/**
 * Checks the words after `basekms`: they must name a runnable command (an area and a verb where
 * the area has verbs), and every `-x` / `--xyz` word must be one of its options.
 */
export function checkCommandWords(words: readonly string[]): string | undefined {
  let current = program();
  let index = 0;
  while (index < words.length) {
    const word = words[index] as string;
    if (word.startsWith("-")) break;
    const next = current.commands.find((command) => command.name() === word);
    if (!next) break;
    current = next;
    index++;
  }
  const path = words.slice(0, index).join(" ");
  if (current === program()) return `no basekms command "${words[0] ?? ""}"`;
  const runnable = current.commands.length === 0;
  const allowed = optionNames(current);
  for (const word of words.slice(index)) {
    if (!/^--?[A-Za-z]/.test(word)) {
      if (!runnable && !allowed.has(word)) return `"basekms ${path}" has no subcommand "${word}"`;
      continue;
    }
    const flag = word.split("=")[0] as string;
    if (!allowed.has(flag)) return `"basekms ${path}" has no option ${flag}`;
  }
  if (!runnable && !words.slice(index).some((word) => word === "--help" || word === "-h")) {
    return `"basekms ${path}" needs a subcommand (${current.commands.map((command) => command.name()).join(", ")})`;
  }
  return undefined;
}

/** Splits a shell-ish line into words; quotes are stripped, `$(…)` and `${…}` stay one word. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) words.push(match[1] ?? match[2] ?? (match[3] as string));
  return words;
}

/** `basekms` in command position: line start (after `VAR=value` words), or after `|`, `;`, `&&` or `$(`. */
const INVOCATION = /(?:^\s*(?:\$\s+)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*|[|;&]\s*|\$\(\s*)(?:npx\s+)?(?:node\s+\S*bin\/basekms\.js|basekms)\s+(.*)$/;

/**
 * `basekms` invocations in a Markdown text: every line of a fenced code block (continuation
 * lines joined) that calls basekms at its start or after `|`, `;`, `&&` or `$(`, and every
 * inline code span that starts with `basekms `. Lines whose first word after `basekms` is a
 * placeholder (`<area>`) are skipped.
 */
export function basekmsInvocations(markdown: string): string[] {
  const found: string[] = [];
  const fences = markdown.split(/^```.*$/m);
  for (let index = 1; index < fences.length; index += 2) {
    const block = (fences[index] as string).replace(/\\\n\s*/g, " ");
    for (const line of block.split("\n")) {
      const command = line.trim().startsWith("#") ? "" : line.replace(/\s#\s.*$/, "");
      const match = INVOCATION.exec(command);
      if (match) found.push(match[1] as string);
    }
  }
  for (let index = 0; index < fences.length; index += 2) {
    for (const match of (fences[index] as string).matchAll(/`(?:npx )?basekms ([^`]+)`/g)) found.push(match[1] as string);
  }
  return found
    .map((rest) => rest.split(/\s*(?:\||;|&&|\$\(|\))\s*/)[0] as string)
    .filter((rest) => !/^(?:<|…)/.test(rest.trim()));
}

export function checkMarkdownCommands(markdown: string): CommandProblem[] {
  const problems: CommandProblem[] = [];
  for (const rest of basekmsInvocations(markdown)) {
    const problem = checkCommandWords(shellWords(rest));
    if (problem) problems.push({ commandLine: `basekms ${rest}`, problem });
  }
  return problems;
}
