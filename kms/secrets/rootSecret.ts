import { randomBytes } from "node:crypto";
import { isAllZero } from "../../core/bytes";
import { SecretError } from "./errors";
import { createSandboxSecretFile, readSandboxSecretFile, ROOT_SECRET_SIZE } from "./sandboxSecretFile";
import { createTdxSealedSecretStore, type SealedSecretStore } from "./sealedSecretStore";

/** The subset of a pino logger this module uses. Nothing logged here contains secret bytes. */
export interface SecretLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface LoadRootSecretOptions {
  mode: "sandbox" | "sealed";
  /** Sandbox: the secret file (created 0600 if absent). Sealed: ignored, never written. */
  file: string;
  log: SecretLog;
  /** Sealed: where the secret is kept sealed. Defaults to `createTdxSealedSecretStore()`. */
  sealedStore?: SealedSecretStore;
  /**
   * Sealed: when the store holds nothing, create a brand-new root secret. Only the very first
   * KMS of a deployment should do that; any later one must onboard instead, or it would
   * derive different disk keys. Defaults to false (fail closed with ROOT_SECRET_UNAVAILABLE).
   */
  sealedGenesis?: boolean;
  random?: (size: number) => Uint8Array;
}

export interface LoadedRootSecret {
  rootSecret: Uint8Array;
  /** "loaded": it existed; "created": this call generated it. */
  origin: "loaded" | "created";
  /** Where it lives: the sandbox file, a sealed store that persisted it, or memory only. */
  storage: "sandbox-file" | "sealed" | "memory-only";
}

/** Loads the KMS root secret, or creates it on first start. See docs/protocol-key-derivation.md. */
export async function loadOrCreateRootSecret(options: LoadRootSecretOptions): Promise<LoadedRootSecret> {
  const random = options.random ?? randomBytes;
  return options.mode === "sandbox" ? loadSandbox(options, random) : loadSealed(options, random);
}

function loadSandbox(options: LoadRootSecretOptions, random: (size: number) => Uint8Array): LoadedRootSecret {
  const { file, log } = options;
  const existing = readSandboxSecretFile(file);
  if (existing) {
    log.warn({ file, mode: "sandbox" }, "sandbox KMS: the root secret is read from a plain file on disk; never use this in production");
    return { rootSecret: existing, origin: "loaded", storage: "sandbox-file" };
  }
  const secret = freshSecret(random);
  if (createSandboxSecretFile(file, secret) === "exists") {
    // Another process created it between our read and our write: use theirs, not ours.
    const theirs = readSandboxSecretFile(file);
    if (!theirs) throw new SecretError("SECRET_FILE_UNREADABLE", `root secret file ${file} vanished after creation`);
    log.warn({ file, mode: "sandbox" }, "sandbox KMS: the root secret is read from a plain file on disk; never use this in production");
    return { rootSecret: theirs, origin: "loaded", storage: "sandbox-file" };
  }
  log.warn(
    { file, mode: "sandbox", fileMode: "0600" },
    "sandbox KMS: generated a NEW root secret and wrote it to a plain file on disk; anyone who can read this file can derive every disk key; never use this in production",
  );
  return { rootSecret: secret, origin: "created", storage: "sandbox-file" };
}

async function loadSealed(options: LoadRootSecretOptions, random: (size: number) => Uint8Array): Promise<LoadedRootSecret> {
  const { log } = options;
  const store = options.sealedStore ?? createTdxSealedSecretStore();
  const existing = await callStore(() => store.load(), store.kind);
  if (existing) {
    if (existing.length !== ROOT_SECRET_SIZE || isAllZero(existing)) {
      throw new SecretError("ROOT_SECRET_INVALID", `sealed store ${store.kind} returned a malformed root secret`);
    }
    log.info({ store: store.kind, mode: "sealed" }, "root secret unsealed");
    return { rootSecret: Uint8Array.from(existing), origin: "loaded", storage: "sealed" };
  }
  if (!options.sealedGenesis) {
    throw new SecretError(
      "ROOT_SECRET_UNAVAILABLE",
      `sealed store ${store.kind} holds no root secret; onboard from another KMS, or start the first KMS with genesis`,
    );
  }
  const secret = freshSecret(random);
  const saved = await callStore(() => store.save(secret), store.kind);
  if (saved === "memory-only") {
    log.warn(
      { store: store.kind, mode: "sealed" },
      "generated a new root secret held in memory only; it is lost on restart unless another KMS re-onboards this one",
    );
    return { rootSecret: secret, origin: "created", storage: "memory-only" };
  }
  log.info({ store: store.kind, mode: "sealed" }, "generated a new root secret and stored it sealed");
  return { rootSecret: secret, origin: "created", storage: "sealed" };
}

async function callStore<T>(run: () => Promise<T>, kind: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SecretError) throw error;
    throw new SecretError("SEALED_STORAGE_UNAVAILABLE", `sealed store ${kind} failed`, { cause: error });
  }
}

function freshSecret(random: (size: number) => Uint8Array): Uint8Array {
  const secret = Uint8Array.from(random(ROOT_SECRET_SIZE));
  if (secret.length !== ROOT_SECRET_SIZE || isAllZero(secret)) {
    throw new SecretError("ROOT_SECRET_INVALID", "random source did not produce 32 usable bytes");
  }
  return secret;
}
