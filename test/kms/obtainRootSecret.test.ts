import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KmsConfig } from "../../kms/config";
import { openReleaseLog } from "../../kms/log";
import { obtainRootSecret, ROOT_SECRET_FILE } from "../../kms/obtainRootSecret";
import { SecretError, type SecretErrorCode } from "../../kms/secrets/errors";
import { createTdxSealedSecretStore, type SealedSecretStore } from "../../kms/secrets/sealedSecretStore";
import { sampleLeaf } from "./log/helpers";

/**
 * `obtainRootSecret` without `--onboard-from`: which start may mint a root secret. Sealed mode
 * needs a TD, so a store that acts as one (`deviceExists: () => true`) stands in for it; the
 * machine's own default store is used where the point is what happens before any store exists.
 */
let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "basekms-obtain-"));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const silentLog = { info: () => {}, warn: () => {} };

type ObtainParameters = Parameters<typeof obtainRootSecret>[0];

function obtain(config: Partial<ObtainParameters["config"]>, extra: Partial<ObtainParameters> = {}) {
  return obtainRootSecret({
    config: {
      network: "sealed",
      dataDir,
      onboardFrom: undefined,
      genesis: false,
      chainId: 31337,
      deployment: {} as KmsConfig["deployment"],
      ...config,
    },
    log: silentLog,
    attestation: async () => {
      throw new Error("no onboarding in these tests");
    },
    isKmsIdentity: async () => false,
    ...extra,
  });
}

/** A TD-like store that records every call, to show whether the refusal came before it. */
function recordingTdStore(): SealedSecretStore & { calls: string[] } {
  const inner = createTdxSealedSecretStore({ deviceExists: () => true });
  const calls: string[] = [];
  return {
    calls,
    kind: inner.kind,
    load: async () => {
      calls.push("load");
      return inner.load();
    },
    save: async (secret) => {
      calls.push("save");
      return inner.save(secret);
    },
  };
}

async function expectSecretError(run: Promise<unknown>, code: SecretErrorCode): Promise<SecretError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SecretError);
  expect((error as SecretError).code).toBe(code);
  return error as SecretError;
}

/** Every file under `dir` with its bytes and mtime: what "created nothing, changed nothing" compares. */
function snapshot(dir: string): Record<string, { bytes: string; mtimeMs: number }> {
  const out: Record<string, { bytes: string; mtimeMs: number }> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = join(dir, name);
    const stat = statSync(file);
    if (stat.isFile()) out[name] = { bytes: readFileSync(file).toString("hex"), mtimeMs: stat.mtimeMs };
  }
  return out;
}

/** A real release log with one leaf, as a previous KMS run leaves it. */
function writeReleaseLog(): void {
  const log = openReleaseLog({ file: join(dataDir, "release-log.sqlite") });
  log.append(sampleLeaf(1));
  log.close();
}

describe("obtainRootSecret: sealed genesis", () => {
  it("into an empty data directory, creates a memory-only secret and writes nothing there", async () => {
    const store = recordingTdStore();
    const obtained = await obtain({ genesis: true }, { sealedStore: store });
    expect(obtained).toMatchObject({ origin: "created", storage: "memory-only" });
    expect(obtained.rootSecret).toHaveLength(32);
    expect(store.calls).toEqual(["load", "save"]);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it("into an empty data directory on this machine, gets past the check to the TDX store (SEALED_STORAGE_UNAVAILABLE: no TD here)", async () => {
    expect(existsSync("/dev/tdx_guest")).toBe(false); // precondition of this test
    await expectSecretError(obtain({ genesis: true }), "SEALED_STORAGE_UNAVAILABLE");
  });

  it("refuses over an existing release log: GENESIS_OVER_EXISTING_STATE, before the sealed store is asked, creating nothing", async () => {
    writeReleaseLog();
    const before = snapshot(dataDir);
    expect(Object.keys(before)).toContain("release-log.sqlite");
    const store = recordingTdStore();
    const error = await expectSecretError(obtain({ genesis: true }, { sealedStore: store }), "GENESIS_OVER_EXISTING_STATE");
    expect(error.message).toContain("release-log.sqlite (the release log)");
    expect(store.calls).toEqual([]);
    expect(snapshot(dataDir)).toEqual(before);
    expect(existsSync(join(dataDir, ROOT_SECRET_FILE))).toBe(false);
  });

  it("refuses over an existing release log before even making the default TDX store", async () => {
    writeReleaseLog();
    await expectSecretError(obtain({ genesis: true }), "GENESIS_OVER_EXISTING_STATE");
  });

  it("refuses over a refusal table alone too", async () => {
    writeFileSync(join(dataDir, "refusals.sqlite"), "");
    await expectSecretError(obtain({ genesis: true }, { sealedStore: recordingTdStore() }), "GENESIS_OVER_EXISTING_STATE");
  });

  it("without genesis, an existing data directory is not this check's business: ROOT_SECRET_UNAVAILABLE, as before", async () => {
    writeReleaseLog();
    await expectSecretError(obtain({ genesis: false }, { sealedStore: recordingTdStore() }), "ROOT_SECRET_UNAVAILABLE");
  });
});

describe("obtainRootSecret: sandbox is unaffected by genesis", () => {
  it("with genesis set over an existing data directory, loads the existing secret file", async () => {
    writeReleaseLog();
    const first = await obtain({ network: "sandbox" });
    expect(first.origin).toBe("created");
    const again = await obtain({ network: "sandbox", genesis: true });
    expect(again).toMatchObject({ origin: "loaded", storage: "sandbox-file" });
    expect(Buffer.from(again.rootSecret).equals(Buffer.from(first.rootSecret))).toBe(true);
  });

  it("with genesis set over a release log but no secret file, creates the file as it always has", async () => {
    mkdirSync(join(dataDir, "collateral"));
    writeReleaseLog();
    const obtained = await obtain({ network: "sandbox", genesis: true });
    expect(obtained).toMatchObject({ origin: "created", storage: "sandbox-file" });
    expect(existsSync(join(dataDir, ROOT_SECRET_FILE))).toBe(true);
  });
});
