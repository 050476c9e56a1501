import fs from "node:fs";
import path from "node:path";
import { UsageError } from "../../core/errors";

/**
 * The local stack's data directory (default `.data/dev/`, git-ignored). The Hardhat chain lives
 * in memory and starts empty on every run, so anything kept from an earlier run (a release log
 * of another chain's releases, an indexer database of another chain) would be wrong: each run
 * starts from an empty directory. It is left in place on exit, for inspection.
 *
 * Only a directory that holds nothing but what `basekms dev` writes is emptied; any other
 * non-empty directory is refused, and so is one a running `basekms dev` still uses (the marker
 * file below holds its pid).
 */
export const DEV_MARKER_FILE = ".basekms-dev";

/** Everything `basekms dev` writes at the top of its directory (earlier versions wrote only deployments/). */
const OWN_ENTRIES = /^(?:\.basekms-dev|deployments|kms|indexer\.sqlite(?:-wal|-shm|-journal)?|signatures|agents|logs|maintainers\.env)$/;

export interface DevDataLayout {
  root: string;
  deployments: string;
  kms: string;
  indexerDb: string;
  signatures: string;
  agents: string;
  logs: string;
  /** Public Hardhat dev keys of the three maintainers, mode 0600, for trying the maintainer CLI. */
  maintainersEnv: string;
}

export function devDataLayout(root: string): DevDataLayout {
  return {
    root,
    deployments: path.join(root, "deployments"),
    kms: path.join(root, "kms"),
    indexerDb: path.join(root, "indexer.sqlite"),
    signatures: path.join(root, "signatures"),
    agents: path.join(root, "agents"),
    logs: path.join(root, "logs"),
    maintainersEnv: path.join(root, "maintainers.env"),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Empties (or creates) `root` for a new run and claims it with the marker holding our pid. */
export function prepareDevDataDir(root: string, flag = "--data-dir"): DevDataLayout {
  const entries = fs.existsSync(root) ? fs.readdirSync(root) : [];
  if (entries.length > 0) {
    const foreign = entries.filter((entry) => !OWN_ENTRIES.test(entry));
    if (foreign.length > 0) {
      throw new UsageError("CONFIG_INVALID", `${flag} ${root} holds files basekms dev did not write (${foreign.slice(0, 3).join(", ")}); give a new or empty directory`);
    }
    const marker = path.join(root, DEV_MARKER_FILE);
    const owner = fs.existsSync(marker) ? Number.parseInt(fs.readFileSync(marker, "utf8").trim(), 10) : Number.NaN;
    if (Number.isSafeInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new UsageError("CONFIG_INVALID", `${flag} ${root} is in use by another basekms dev (pid ${owner}); stop it or give another directory`);
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(root, DEV_MARKER_FILE), `${process.pid}\n`);
  const layout = devDataLayout(root);
  for (const directory of [layout.deployments, layout.signatures, layout.agents, layout.logs]) fs.mkdirSync(directory, { recursive: true });
  return layout;
}
