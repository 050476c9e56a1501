/**
 * A small Dockerfile reader for the deploy tests: enough of the Dockerfile grammar to check
 * the instructions the build relies on (FROM, ARG, COPY, RUN, ENV, USER, HEALTHCHECK, ...).
 * Continuation lines (`\`), comments and blank lines are handled as BuildKit handles them:
 * a comment line inside a continued instruction is dropped, not ended on.
 */
export interface Instruction {
  /** Upper-case keyword, e.g. `FROM`. */
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

export interface Stage {
  /** The stage's name (`AS name`), if any. */
  name: string | undefined;
  /** What the stage starts from: an image reference or an earlier stage's name. */
  base: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split("\n");
  let current: { parts: string[]; line: number } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const raw = (lines[index] as string).replace(/\r$/, "");
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const continues = /\\\s*$/.test(raw);
    const content = continues ? raw.replace(/\\\s*$/, "") : raw;
    if (current) current.parts.push(content.trim());
    else current = { parts: [content.trim()], line: index + 1 };
    if (!continues) {
      const joined = current.parts.join(" ").trim();
      const match = /^(\S+)\s*([\s\S]*)$/.exec(joined) as RegExpExecArray;
      instructions.push({ keyword: (match[1] as string).toUpperCase(), args: (match[2] as string).trim(), line: current.line });
      current = undefined;
    }
  }
  if (current) throw new Error(`Dockerfile ends inside a continued instruction (line ${current.line})`);
  return instructions;
}

/** Splits instructions into build stages; instructions before the first FROM (global ARGs) are dropped. */
export function stagesOf(instructions: readonly Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const tokens = instruction.args.split(/\s+/).filter((token) => !token.startsWith("--platform"));
      const asIndex = tokens.findIndex((token) => token.toUpperCase() === "AS");
      stages.push({ base: tokens[0] as string, name: asIndex >= 0 ? tokens[asIndex + 1] : undefined, instructions: [] });
    } else if (stages.length > 0) {
      (stages[stages.length - 1] as Stage).instructions.push(instruction);
    }
  }
  return stages;
}

/** `name[:tag]@sha256:<64 hex>`, split; undefined when the reference is not pinned by digest. */
export function pinnedReference(reference: string): { repository: string; tag: string | undefined; digest: string } | undefined {
  const match = /^([a-z0-9][a-z0-9._/-]*)(?::([A-Za-z0-9._-]+))?@sha256:([0-9a-f]{64})$/.exec(reference);
  if (!match) return undefined;
  return { repository: match[1] as string, tag: match[2], digest: `sha256:${match[3] as string}` };
}

/** The source paths of a `COPY` (not `COPY --from=`), flags removed; the last token is the destination. */
export function copySources(instruction: Instruction): string[] {
  const tokens = instruction.args.split(/\s+/).filter((token) => !token.startsWith("--"));
  return tokens.slice(0, -1);
}

/** `ENV A=1 B=2` or the legacy `ENV A 1`, as pairs. */
export function envPairs(instruction: Instruction): Array<[string, string]> {
  const args = instruction.args;
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [name, ...rest] = args.split(/\s+/);
    return [[name as string, rest.join(" ")]];
  }
  const pairs: Array<[string, string]> = [];
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let match = pattern.exec(args); match; match = pattern.exec(args)) pairs.push([match[1] as string, match[2] as string]);
  return pairs;
}

/** An exec-form instruction argument (`["a", "b"]`) as its array. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}
