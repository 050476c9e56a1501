import fs from "node:fs";
import type { Writable } from "node:stream";
import { AgentError } from "./errors";

/**
 * Where the disk key goes: a file only its owner can read, or a stream for
 * `basekms agent boot --out - | cryptsetup open --key-file=- ...`. The key is raw bytes
 * (32), never hex, and never passes through a log.
 */
export const KEY_FILE_MODE = 0o600;

/**
 * Writes `key` to `file` with mode 0600. The file is opened with `O_NOFOLLOW` (a planted
 * symlink cannot redirect the key) and created 0600; `fchmod` then fixes the mode of a file
 * that already existed, or that the umask narrowed, before any byte is written. Then fsync.
 */
export function writeKeyFile(file: string, key: Uint8Array): void {
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW;
  let descriptor: number;
  try {
    descriptor = fs.openSync(file, flags, KEY_FILE_MODE);
  } catch (error) {
    throw new AgentError("KEY_OUTPUT_FAILED", `cannot open key file ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    fs.fchmodSync(descriptor, KEY_FILE_MODE);
    let offset = 0;
    while (offset < key.length) offset += fs.writeSync(descriptor, key, offset, key.length - offset);
    fs.fsyncSync(descriptor);
  } catch (error) {
    throw new AgentError("KEY_OUTPUT_FAILED", `cannot write key file ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    fs.closeSync(descriptor);
  }
}

/**
 * Writes `key` to a stream (stdout for `--out -`). Refuses a terminal: raw key bytes on a
 * screen end up in scrollback and screenshots.
 */
export async function writeKeyStream(stream: Writable & { isTTY?: boolean }, key: Uint8Array): Promise<void> {
  if (stream.isTTY) {
    throw new AgentError("KEY_OUTPUT_REFUSED", "refusing to write the raw disk key to a terminal; pipe it (--out - | cryptsetup ...) or use --out <file>");
  }
  await new Promise<void>((resolve, reject) => {
    stream.write(Buffer.from(key.buffer, key.byteOffset, key.byteLength), (error) => {
      if (error) reject(new AgentError("KEY_OUTPUT_FAILED", `cannot write the key to the output stream: ${error.message}`, { cause: error }));
      else resolve();
    });
  });
}
