import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/** The repository root (test/deploy/support → ../../..). */
export const REPO_ROOT = path.resolve(__dirname, "../../..");

export function readRepoFile(relative: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, relative), "utf8");
}

export interface ComposeService {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean; bind?: Record<string, unknown> }>;
  devices?: string[];
  user?: string;
  privileged?: boolean;
  read_only?: boolean;
  cap_drop?: string[];
  restart?: string;
  healthcheck?: { test?: string[]; disable?: boolean };
  configs?: Array<{ source: string; target: string }>;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  configs?: Record<string, { content?: string; file?: string }>;
  volumes?: Record<string, unknown>;
}

/** Parses a compose file as Compose does: YAML 1.1 merge keys (`<<: *anchor`) resolved. */
export function readCompose(relative: string): ComposeFile {
  return parse(readRepoFile(relative), { merge: true }) as ComposeFile;
}

/**
 * Compose's variable interpolation for the forms these files use: `${VAR}`, `${VAR:-default}`
 * and `${VAR:?message}` (an error when VAR is unset or empty, as Compose does).
 */
export function interpolate(value: string, env: Readonly<Record<string, string | undefined>>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g, (_whole, name: string, operator: string | undefined, argument: string | undefined) => {
    const set = env[name];
    if (set !== undefined && set !== "") return set;
    if (operator === ":?") throw new Error(`${name}: ${argument ?? "required"}`);
    return operator === ":-" ? (argument ?? "") : "";
  });
}

/** `${VAR…}` names a value refers to. */
export function interpolatedNames(value: string): string[] {
  return [...value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] as string);
}
