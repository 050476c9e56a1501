import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { isAllZero } from "../../core/bytes";
import { SecretError } from "./errors";

/**
 * The sandbox root secret file: 32 raw bytes (as written here) or 64 hex characters with an
 * optional trailing newline (as an operator might write with `openssl rand -hex 32`).
 * Sandbox only: a sealed KMS never writes its secret in the clear.
 */
export const ROOT_SECRET_SIZE = 32;
/** Any larger file cannot be a secret file; refuse it before reading it. */
const MAX_SECRET_FILE_SIZE = 128;
/** Group and other permission bits: any of them set means someone else may read or replace the secret. */
const GROUP_OR_OTHER_BITS = 0o077;

/** Reads the secret file; `undefined` when it does not exist. Refuses symlinks, loose modes and bad content. */
export function readSandboxSecretFile(file: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw new SecretError("SECRET_FILE_INVALID", `root secret file ${file} is a symlink; refusing it`);
    throw new SecretError("SECRET_FILE_UNREADABLE", `cannot open root secret file ${file} (${code ?? "error"})`, { cause: error });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new SecretError("SECRET_FILE_INVALID", `root secret file ${file} is not a regular file`);
    if ((stat.mode & GROUP_OR_OTHER_BITS) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
      throw new SecretError(
        "SECRET_FILE_PERMISSIONS",
        `root secret file ${file} has mode ${mode}; it must not be accessible to group or others (chmod 600 ${file})`,
      );
    }
    if (stat.size > MAX_SECRET_FILE_SIZE) throw invalidContent(file);
    const content = new Uint8Array(stat.size);
    let read = 0;
    while (read < content.length) {
      const n = readSync(fd, content, read, content.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return parseSecretFileContent(content.subarray(0, read), file);
  } finally {
    closeSync(fd);
  }
}

/** 32 raw bytes, or 64 hex characters optionally followed by "\n" or "\r\n". */
export function parseSecretFileContent(content: Uint8Array, file: string): Uint8Array {
  let secret: Uint8Array | undefined;
  if (content.length === ROOT_SECRET_SIZE) {
    secret = Uint8Array.from(content);
  } else {
    const text = Buffer.from(content).toString("latin1").replace(/\r?\n$/, "");
    if (/^[0-9a-fA-F]{64}$/.test(text)) secret = new Uint8Array(Buffer.from(text, "hex"));
  }
  if (!secret) throw invalidContent(file);
  if (isAllZero(secret)) throw new SecretError("SECRET_FILE_INVALID", `root secret file ${file} holds an all-zero secret`);
  return secret;
}

function invalidContent(file: string): SecretError {
  return new SecretError(
    "SECRET_FILE_INVALID",
    `root secret file ${file} must hold exactly ${ROOT_SECRET_SIZE} raw bytes or ${ROOT_SECRET_SIZE * 2} hex characters`,
  );
}

/**
 * Creates `file` holding `secret` (raw bytes, mode 0600) atomically and durably, only if it
 * does not exist yet. Writes a temp file in the same directory (O_EXCL, 0600), fsyncs it,
 * then publishes it with link(2) rather than rename(2): link fails if the target exists, so
 * two processes racing on one data directory can never replace a secret that one of them
 * may already have used. Fsyncs the directory so the new name survives a crash.
 *
 * Returns "exists" when another process created the file first; the caller re-reads it.
 */
export function createSandboxSecretFile(file: string, secret: Uint8Array): "created" | "exists" {
  const directory = dirname(file);
  const temp = join(directory, `.${basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      fchmodSync(fd, 0o600); // independent of the process umask
      let written = 0;
      while (written < secret.length) written += writeSync(fd, secret, written, secret.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    removeTemp(temp, file);
    throw writeFailed(file, error);
  }
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return "exists";
    throw writeFailed(file, error);
  } finally {
    removeTemp(temp, file);
  }
  fsyncDirectory(directory, file);
  return "created";
}

function fsyncDirectory(directory: string, file: string): void {
  try {
    const fd = openSync(directory, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw writeFailed(file, error);
  }
}

/** Removes the temp name; a temp that was never created (ENOENT) is fine, anything else is not. */
function removeTemp(path: string, file: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw writeFailed(file, error);
  }
}

function writeFailed(file: string, error: unknown): SecretError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "error";
  return new SecretError("SECRET_FILE_WRITE_FAILED", `cannot create root secret file ${file} (${code})`, { cause: error });
}
