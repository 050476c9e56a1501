import { readdirSync } from "node:fs";
import { SecretError } from "./errors";

/**
 * Sealed genesis mints a brand-new root secret, and with it a new KMS identity and new disk keys
 * for every app. A data directory that a KMS already used (its release log, its refusal table,
 * a sandbox secret or identity) shows that this is not the first KMS of a deployment: it is a
 * restart with `--genesis` left on, or the wrong volume. Minting there would silently fork the
 * deployment, so genesis needs a data directory that holds no previous state.
 *
 * Fail closed: every entry counts as previous state except those known to say nothing about a
 * root secret: the collateral cache (public PCCS data, fetched again at will) and the
 * filesystem's `lost+found`.
 */
const NOT_KMS_STATE: ReadonlySet<string> = new Set(["collateral", "lost+found"]);

/** What the KMS itself writes to its data directory (kms/server.ts, kms/identity), named in the refusal. */
const KNOWN_KMS_STATE: Readonly<Record<string, string>> = {
  "release-log.sqlite": "the release log",
  "release-log.sqlite-wal": "the release log's write-ahead log",
  "refusals.sqlite": "the refusal table",
  "refusals.sqlite-wal": "the refusal table's write-ahead log",
  "root-secret": "a sandbox root secret",
  "kms-identity.key": "a sandbox KMS identity",
};

/** The entries of a data directory that show a KMS ran there, the KMS's own files first. Pure. */
export function previousKmsState(entries: readonly string[]): string[] {
  const known = Object.keys(KNOWN_KMS_STATE);
  const rank = (entry: string): number => (known.includes(entry) ? known.indexOf(entry) : known.length);
  return entries
    .filter((entry) => !NOT_KMS_STATE.has(entry))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export interface CheckGenesisDataDirOptions {
  /** Lists a directory; `readdirSync` by default. */
  listDirectory?: (directory: string) => string[];
}

/**
 * Throws GENESIS_OVER_EXISTING_STATE unless `dataDir` is absent, empty, or holds only entries
 * that are not KMS state. A directory that cannot be listed is refused too: genesis must be
 * able to prove the directory fresh. Reads nothing but the directory listing; creates nothing.
 */
export function checkGenesisDataDir(dataDir: string, options: CheckGenesisDataDirOptions = {}): void {
  const listDirectory = options.listDirectory ?? ((directory: string) => readdirSync(directory));
  let entries: string[];
  try {
    entries = listDirectory(dataDir);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "ENOENT") return;
    throw new SecretError(
      "GENESIS_OVER_EXISTING_STATE",
      `genesis refused: cannot list the data directory ${dataDir} to check that no KMS used it before`,
      { cause: error },
    );
  }
  const found = previousKmsState(entries);
  const first = found[0];
  if (first === undefined) return;
  const what = KNOWN_KMS_STATE[first] ? `${first} (${KNOWN_KMS_STATE[first]})` : first;
  const more = found.length > 1 ? ` and ${found.length - 1} more entr${found.length === 2 ? "y" : "ies"}` : "";
  throw new SecretError(
    "GENESIS_OVER_EXISTING_STATE",
    `genesis refused: the data directory ${dataDir} already holds ${what}${more}, so a KMS ran here before; ` +
      "genesis would mint a new root secret, a new KMS identity and new disk keys for every app. " +
      "To restart this KMS, start it without --genesis and onboard from a running KMS (--onboard-from). " +
      "Only for the first KMS of a new deployment, start with --genesis on an empty data directory.",
  );
}
