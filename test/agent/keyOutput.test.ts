import fs, { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { AgentError } from "../../agent/errors";
import { writeKeyFile, writeKeyStream } from "../../agent/keyOutput";

const KEY = Uint8Array.from({ length: 32 }, (_, index) => 255 - index);
const temporaryDirs: string[] = [];

afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "basekms-agent-key-"));
  temporaryDirs.push(dir);
  return dir;
}

const modeOf = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8);

describe("writeKeyFile", () => {
  it("writes the raw 32 key bytes to a new file with mode 0600", () => {
    const file = path.join(temporaryDir(), "disk.key");
    writeKeyFile(file, KEY);
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(KEY);
    expect(modeOf(file)).toBe("600");
  });

  it("makes an existing world-readable file 0600 and replaces its content", () => {
    const file = path.join(temporaryDir(), "disk.key");
    fs.writeFileSync(file, "an older, longer content that must not survive", { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    writeKeyFile(file, KEY);
    expect(modeOf(file)).toBe("600");
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(KEY);
  });

  it("refuses to follow a symlink planted at the key path: KEY_OUTPUT_FAILED", () => {
    const dir = temporaryDir();
    const target = path.join(dir, "elsewhere");
    fs.writeFileSync(target, "");
    const link = path.join(dir, "disk.key");
    fs.symlinkSync(target, link);
    expect(() => writeKeyFile(link, KEY)).toThrow(expect.objectContaining({ code: "KEY_OUTPUT_FAILED" }));
    expect(fs.readFileSync(target)).toHaveLength(0);
  });

  it("reports a missing directory as KEY_OUTPUT_FAILED", () => {
    expect(() => writeKeyFile(path.join(temporaryDir(), "no/such/dir/disk.key"), KEY)).toThrow(AgentError);
  });
});

describe("writeKeyStream", () => {
  it("writes exactly the raw key bytes (cryptsetup --key-file=-)", async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    await writeKeyStream(stream, KEY);
    expect(new Uint8Array(Buffer.concat(chunks))).toEqual(KEY);
  });

  it("refuses to print the key on a terminal: KEY_OUTPUT_REFUSED", async () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true });
    await expect(writeKeyStream(terminal, KEY)).rejects.toMatchObject({ code: "KEY_OUTPUT_REFUSED" });
  });
});
