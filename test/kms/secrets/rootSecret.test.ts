import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import { SecretError, type SecretErrorCode } from "../../../kms/secrets/errors";
import { loadOrCreateRootSecret, type LoadRootSecretOptions, type SecretLog } from "../../../kms/secrets/rootSecret";
import { createSandboxSecretFile } from "../../../kms/secrets/sandboxSecretFile";
import { createTdxSealedSecretStore, type SealedSecretStore } from "../../../kms/secrets/sealedSecretStore";

/** A logger that keeps every line, to check what is (and is not) logged. */
function capturingLog(): SecretLog & { lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    info: (fields, message) => lines.push({ level: "info", fields, message }),
    warn: (fields, message) => lines.push({ level: "warn", fields, message }),
  };
}

/** True when the secret appears in the log in any common text form. */
function logLeaks(log: ReturnType<typeof capturingLog>, secret: Uint8Array): boolean {
  const text = JSON.stringify(log.lines).toLowerCase();
  const forms = [toHex(secret), Buffer.from(secret).toString("base64").toLowerCase(), Buffer.from(secret).toString("base64url").toLowerCase()];
  return forms.some((form) => text.includes(form));
}

async function expectCode(run: () => Promise<unknown>, code: SecretErrorCode): Promise<SecretError> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SecretError);
  expect((thrown as SecretError).code).toBe(code);
  return thrown as SecretError;
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "basekms-secret-"));
  file = join(dir, "root-secret");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sandbox = (log: SecretLog, extra: Partial<LoadRootSecretOptions> = {}): LoadRootSecretOptions => ({
  mode: "sandbox",
  file,
  log,
  ...extra,
});

describe("root secret, sandbox mode", () => {
  it("creates a 32-byte secret file with mode 0600 on first start and warns loudly", async () => {
    const log = capturingLog();
    const loaded = await loadOrCreateRootSecret(sandbox(log));
    expect(loaded.origin).toBe("created");
    expect(loaded.storage).toBe("sandbox-file");
    expect(loaded.rootSecret).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(new Uint8Array(readFileSync(file))).toEqual(loaded.rootSecret);
    expect(readdirSync(dir)).toEqual(["root-secret"]); // no temp file left behind
    expect(log.lines.some((line) => line.level === "warn" && /plain file on disk/.test(line.message))).toBe(true);
  });

  it("creates the file 0600 even with a permissive umask, and its directory 0700", async () => {
    const previous = process.umask(0);
    try {
      const nested = join(dir, "data", "kms");
      file = join(nested, "root-secret");
      await loadOrCreateRootSecret(sandbox(capturingLog()));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(nested).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(previous);
    }
  });

  it("reuses the same secret on a second start", async () => {
    const first = await loadOrCreateRootSecret(sandbox(capturingLog()));
    const second = await loadOrCreateRootSecret(sandbox(capturingLog()));
    expect(second.origin).toBe("loaded");
    expect(second.rootSecret).toEqual(first.rootSecret);
  });

  it("never writes the secret into the logs", async () => {
    const log = capturingLog();
    const created = await loadOrCreateRootSecret(sandbox(log));
    await loadOrCreateRootSecret(sandbox(log));
    expect(log.lines.length).toBeGreaterThanOrEqual(2);
    expect(logLeaks(log, created.rootSecret)).toBe(false);
  });

  it("reads 64 hex characters with a trailing newline, as `openssl rand -hex 32` writes them", async () => {
    const hex = "a1".repeat(32);
    writeFileSync(file, `${hex}\n`, { mode: 0o600 });
    const loaded = await loadOrCreateRootSecret(sandbox(capturingLog()));
    expect(toHex(loaded.rootSecret)).toBe(hex);
  });

  it("accepts a read-only 0400 file", async () => {
    writeFileSync(file, new Uint8Array(32).fill(5), { mode: 0o400 });
    expect((await loadOrCreateRootSecret(sandbox(capturingLog()))).rootSecret).toEqual(new Uint8Array(32).fill(5));
  });

  for (const mode of [0o644, 0o640, 0o604, 0o660, 0o606]) {
    it(`refuses a secret file with mode 0${mode.toString(8)}: SECRET_FILE_PERMISSIONS`, async () => {
      writeFileSync(file, new Uint8Array(32).fill(5));
      chmodSync(file, mode);
      const log = capturingLog();
      const error = await expectCode(() => loadOrCreateRootSecret(sandbox(log)), "SECRET_FILE_PERMISSIONS");
      expect(error.message).toContain("chmod 600");
      expect(log.lines).toHaveLength(0);
    });
  }

  const badContents: [string, Uint8Array | string][] = [
    ["31 bytes", new Uint8Array(31).fill(1)],
    ["33 bytes", new Uint8Array(33).fill(1)],
    ["empty", new Uint8Array(0)],
    ["63 hex characters", "a".repeat(63)],
    ["65 hex characters", "a".repeat(65)],
    ["64 non-hex characters", "g".repeat(64)],
    ["hex with two trailing newlines", `${"ab".repeat(32)}\n\n`],
    ["an all-zero secret", new Uint8Array(32)],
    ["an all-zero hex secret", "00".repeat(32)],
    ["a large file", new Uint8Array(4096).fill(1)],
  ];
  for (const [name, content] of badContents) {
    it(`refuses a secret file holding ${name}: SECRET_FILE_INVALID`, async () => {
      writeFileSync(file, content, { mode: 0o600 });
      await expectCode(() => loadOrCreateRootSecret(sandbox(capturingLog())), "SECRET_FILE_INVALID");
    });
  }

  it("refuses a symlink in place of the secret file: SECRET_FILE_INVALID", async () => {
    const target = join(dir, "elsewhere");
    writeFileSync(target, new Uint8Array(32).fill(5), { mode: 0o600 });
    symlinkSync(target, file);
    await expectCode(() => loadOrCreateRootSecret(sandbox(capturingLog())), "SECRET_FILE_INVALID");
  });

  it("refuses a directory in place of the secret file: SECRET_FILE_INVALID", async () => {
    mkdirSync(file, { mode: 0o700 });
    await expectCode(() => loadOrCreateRootSecret(sandbox(capturingLog())), "SECRET_FILE_INVALID");
  });

  it("never replaces an existing file when creating: a racing creator's secret wins", () => {
    writeFileSync(file, new Uint8Array(32).fill(7), { mode: 0o600 });
    expect(createSandboxSecretFile(file, new Uint8Array(32).fill(9))).toBe("exists");
    expect(new Uint8Array(readFileSync(file))).toEqual(new Uint8Array(32).fill(7));
  });

  it("reports a path it cannot open for reading as SECRET_FILE_UNREADABLE", async () => {
    writeFileSync(join(dir, "not-a-dir"), "x");
    file = join(dir, "not-a-dir", "root-secret");
    await expectCode(() => loadOrCreateRootSecret(sandbox(capturingLog())), "SECRET_FILE_UNREADABLE");
  });

  it("reports a directory it cannot create as SECRET_FILE_WRITE_FAILED, leaving no file", async () => {
    // The parent is a dangling symlink: reading finds no file, creating the directory fails
    // (this works even as root, unlike a read-only directory).
    symlinkSync(join(dir, "missing"), join(dir, "dangling"));
    file = join(dir, "dangling", "root-secret");
    await expectCode(() => loadOrCreateRootSecret(sandbox(capturingLog())), "SECRET_FILE_WRITE_FAILED");
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });

  it("refuses a random source that yields an all-zero secret: ROOT_SECRET_INVALID", async () => {
    await expectCode(
      () => loadOrCreateRootSecret(sandbox(capturingLog(), { random: (size) => new Uint8Array(size) })),
      "ROOT_SECRET_INVALID",
    );
    expect(existsSync(file)).toBe(false);
  });
});

describe("root secret, sealed mode", () => {
  const sealed = (log: SecretLog, extra: Partial<LoadRootSecretOptions> = {}): LoadRootSecretOptions => ({
    mode: "sealed",
    file,
    log,
    ...extra,
  });

  it("refuses to run on this machine, which has no TDX guest device: SEALED_STORAGE_UNAVAILABLE", async () => {
    expect(existsSync("/dev/tdx_guest")).toBe(false); // precondition of this test
    await expectCode(() => loadOrCreateRootSecret(sealed(capturingLog(), { sealedGenesis: true })), "SEALED_STORAGE_UNAVAILABLE");
    expect(existsSync(file)).toBe(false);
  });

  it("refuses without the device at a configured path: SEALED_STORAGE_UNAVAILABLE", () => {
    let thrown: unknown;
    try {
      createTdxSealedSecretStore({ devicePath: join(dir, "tdx_guest") });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as SecretError).code).toBe("SEALED_STORAGE_UNAVAILABLE");
  });

  it("inside a TD with nothing stored and no genesis, fails closed: ROOT_SECRET_UNAVAILABLE", async () => {
    const sealedStore = createTdxSealedSecretStore({ deviceExists: () => true });
    await expectCode(() => loadOrCreateRootSecret(sealed(capturingLog(), { sealedStore })), "ROOT_SECRET_UNAVAILABLE");
  });

  it("inside a TD with genesis, creates a memory-only secret, warns, and writes no file", async () => {
    const log = capturingLog();
    const sealedStore = createTdxSealedSecretStore({ deviceExists: () => true });
    const loaded = await loadOrCreateRootSecret(sealed(log, { sealedStore, sealedGenesis: true }));
    expect(loaded).toMatchObject({ origin: "created", storage: "memory-only" });
    expect(loaded.rootSecret).toHaveLength(32);
    expect(existsSync(file)).toBe(false);
    expect(log.lines.some((line) => line.level === "warn" && /memory only/.test(line.message))).toBe(true);
    expect(logLeaks(log, loaded.rootSecret)).toBe(false);
  });

  it("loads a secret from a sealed store that has one, without touching the file", async () => {
    const stored = new Uint8Array(32).fill(3);
    const store: SealedSecretStore = { kind: "test", load: async () => stored, save: async () => "persisted" };
    const log = capturingLog();
    const loaded = await loadOrCreateRootSecret(sealed(log, { sealedStore: store }));
    expect(loaded).toMatchObject({ origin: "loaded", storage: "sealed" });
    expect(loaded.rootSecret).toEqual(stored);
    expect(existsSync(file)).toBe(false);
    expect(logLeaks(log, stored)).toBe(false);
  });

  it("refuses a malformed secret from the sealed store: ROOT_SECRET_INVALID", async () => {
    const store: SealedSecretStore = { kind: "test", load: async () => new Uint8Array(16).fill(1), save: async () => "persisted" };
    await expectCode(() => loadOrCreateRootSecret(sealed(capturingLog(), { sealedStore: store })), "ROOT_SECRET_INVALID");
  });

  it("maps a failing sealed store to SEALED_STORAGE_UNAVAILABLE", async () => {
    const store: SealedSecretStore = {
      kind: "test",
      load: async () => {
        throw new Error("unseal failed");
      },
      save: async () => "persisted",
    };
    await expectCode(() => loadOrCreateRootSecret(sealed(capturingLog(), { sealedStore: store })), "SEALED_STORAGE_UNAVAILABLE");
  });

  it("hands a genesis secret to a persisting store exactly once", async () => {
    const saved: Uint8Array[] = [];
    const store: SealedSecretStore = {
      kind: "test",
      load: async () => undefined,
      save: async (secret) => {
        saved.push(secret);
        return "persisted";
      },
    };
    const loaded = await loadOrCreateRootSecret(sealed(capturingLog(), { sealedStore: store, sealedGenesis: true }));
    expect(loaded.storage).toBe("sealed");
    expect(saved).toEqual([loaded.rootSecret]);
  });
});

it("accepts a pino logger as its log", () => {
  const log: SecretLog = pino({ level: "silent" });
  expect(typeof log.warn).toBe("function");
});
