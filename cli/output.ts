import { isBaseError } from "../core/errors";

/** Exit codes, as documented in the README: 0 ok, 1 refused/failed, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface OutputOptions {
  json?: boolean;
}

/** Prints a result: one JSON object with --json, else the human rendering. */
export function printResult(options: OutputOptions, value: unknown, human: () => string): void {
  if (options.json) process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** JSON replacer for bigints and byte arrays, so --json never throws. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return value;
}

/** Renders an error for a person: the code first, then the sentence. */
export function describeError(error: unknown): { code: string; message: string } {
  if (isBaseError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: "ERROR", message: error.message };
  return { code: "ERROR", message: String(error) };
}

/** Renders rows as an aligned two-column table. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join("\n");
}
