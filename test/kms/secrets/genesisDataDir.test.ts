import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SecretError } from "../../../kms/secrets/errors";
import { checkGenesisDataDir, previousKmsState } from "../../../kms/secrets/genesisDataDir";

/**
 * Sealed `--genesis` needs a data directory that no KMS used before (docs/operations.md,
 * "First KMS"). Real directories in a temp dir; `previousKmsState` is the pure part.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "basekms-genesis-"));
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

function refusal(dataDir: string, options?: Parameters<typeof checkGenesisDataDir>[1]): SecretError {
  let thrown: unknown;
  try {
    checkGenesisDataDir(dataDir, options);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SecretError);
  expect((thrown as SecretError).code).toBe("GENESIS_OVER_EXISTING_STATE");
  return thrown as SecretError;
}

describe("previousKmsState", () => {
  it("does not count the collateral cache or lost+found as KMS state", () => {
    expect(previousKmsState([])).toEqual([]);
    expect(previousKmsState(["collateral", "lost+found"])).toEqual([]);
  });

  it("counts every other entry, the KMS's own files first", () => {
    expect(previousKmsState(["notes.txt", "collateral", "refusals.sqlite", "release-log.sqlite-wal", "release-log.sqlite"])).toEqual([
      "release-log.sqlite",
      "release-log.sqlite-wal",
      "refusals.sqlite",
      "notes.txt",
    ]);
    expect(previousKmsState(["b", "a"])).toEqual(["a", "b"]);
  });
});

describe("checkGenesisDataDir", () => {
  it("lets genesis proceed into a data directory that does not exist yet", () => {
    expect(() => checkGenesisDataDir(join(dir, "not-yet"))).not.toThrow();
  });

  it("lets genesis proceed into an empty data directory", () => {
    expect(() => checkGenesisDataDir(dir)).not.toThrow();
  });

  it("lets genesis proceed when the directory holds only a collateral cache and lost+found", () => {
    mkdirSync(join(dir, "collateral"));
    writeFileSync(join(dir, "collateral", "tcb-info.json"), "{}");
    mkdirSync(join(dir, "lost+found"));
    expect(() => checkGenesisDataDir(dir)).not.toThrow();
  });

  it.each([
    ["release-log.sqlite", "the release log"],
    ["release-log.sqlite-wal", "the release log's write-ahead log"],
    ["refusals.sqlite", "the refusal table"],
    ["root-secret", "a sandbox root secret"],
    ["kms-identity.key", "a sandbox KMS identity"],
  ])("refuses over %s: GENESIS_OVER_EXISTING_STATE, naming the file and what to do", (name, what) => {
    writeFileSync(join(dir, name), "x");
    const error = refusal(dir);
    expect(error.message).toContain(`${dir} already holds ${name} (${what})`);
    expect(error.message).toContain("start it without --genesis and onboard from a running KMS (--onboard-from)");
    expect(error.message).toContain("--genesis on an empty data directory");
    expect(readdirSync(dir)).toEqual([name]);
  });

  it("refuses over an entry it does not know (fail closed), and counts the rest", () => {
    writeFileSync(join(dir, "anchor-state.json"), "{}");
    writeFileSync(join(dir, "refusals.sqlite"), "x");
    mkdirSync(join(dir, "collateral"));
    const error = refusal(dir);
    expect(error.message).toContain("already holds refusals.sqlite (the refusal table) and 1 more entry,");
    writeFileSync(join(dir, "other"), "x");
    expect(refusal(dir).message).toContain("and 2 more entries,");
  });

  it("refuses a data directory it cannot list: GENESIS_OVER_EXISTING_STATE with the cause", () => {
    const notADirectory = join(dir, "file");
    writeFileSync(notADirectory, "x");
    const error = refusal(notADirectory);
    expect(error.message).toContain(`cannot list the data directory ${notADirectory}`);
    expect((error.cause as { code?: string }).code).toBe("ENOTDIR");

    const denied = Object.assign(new Error("permission denied"), { code: "EACCES" });
    const injected = refusal(dir, {
      listDirectory: () => {
        throw denied;
      },
    });
    expect(injected.cause).toBe(denied);
  });
});
