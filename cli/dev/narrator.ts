import path from "node:path";

/**
 * The readable transcript of `basekms dev`: section headings, numbered demo steps, indented
 * details and checks. Lines go to one writer (stdout for people, stderr under --json). Nothing
 * secret is ever handed to it: the demo reports keys only as "same" or "different".
 */
export interface Narrator {
  heading(title: string): void;
  /** A stack component: `  ✓ name   text  [seconds since process start]`. */
  component(name: string, text: string): void;
  /** A numbered demo step. */
  step(title: string): void;
  /** An indented line under the current step. */
  detail(text: string): void;
  /** A verified expectation: `✓ text`. */
  check(text: string): void;
  line(text?: string): void;
}

export function createNarrator(write: (line: string) => void): Narrator {
  let steps = 0;
  return {
    heading: (title) => write(`\n${title}`),
    component: (name, text) => write(`  ✓ ${name.padEnd(16)} ${text}  [${seconds(performance.now())}]`),
    step: (title) => write(`${String(++steps).padStart(3)}. ${title}`),
    detail: (text) => write(`      ${text}`),
    check: (text) => write(`      ✓ ${text}`),
    line: (text = "") => write(text),
  };
}

/** `0x1234abcd…ef01`: long hex shortened for reading (the JSON output keeps it whole). */
export function shortHex(value: string, keep = 8): string {
  return value.length <= 2 + keep * 2 ? value : `${value.slice(0, 2 + keep)}…${value.slice(-4)}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A path as a person types it from the current directory (relative inside it, else absolute). */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
