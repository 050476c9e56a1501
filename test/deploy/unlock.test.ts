import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/compose";

/**
 * deploy/agent/unlock.sh with stand-ins for `node` (the agent), `cryptsetup`, `mkfs.ext4`,
 * `mount` and `mountpoint` on PATH: the script's decisions (open, first-boot format, refuse)
 * and its plumbing (the key reaches cryptsetup on stdin and nowhere else; a refusing agent
 * fails the boot) run for real; only the privileged tools are stubbed.
 */
const SCRIPT = path.join(REPO_ROOT, "deploy/agent/unlock.sh");
const KEY_HEX = randomBytes(32).toString("hex");

let dir: string;

function stub(name: string, body: string): void {
  fs.writeFileSync(path.join(dir, "bin", name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
}

function calls(): string[] {
  const log = path.join(dir, "calls.log");
  return fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
}

function stdinOf(index: number): Buffer {
  return fs.readFileSync(path.join(dir, `stdin-${index}`));
}

function run(device: string, extraEnv: Record<string, string> = {}) {
  return spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: {
      PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`,
      STUB_DIR: dir,
      STUB_KEY_HEX: KEY_HEX,
      BASEKMS_KMS_URL: "http://127.0.0.1:8700",
      BASEKMS_RPC_URL: "http://127.0.0.1:8545",
      BASEKMS_DEPLOYMENT: "/etc/basekms/deployment.json",
      BASEKMS_APP_COMPOSE: "/etc/basekms/app-compose.json",
      BASEKMS_APP_ID: `0x${"ab".repeat(20)}`,
      BASEKMS_INSTANCE_ID: "cd".repeat(20),
      BASEKMS_DATA_DEVICE: device,
      BASEKMS_MOUNT: path.join(dir, "mnt"),
      BASEKMS_MAPPER_NAME: `basekms-test-${randomBytes(6).toString("hex")}`,
      ...extraEnv,
    },
  });
}

function device(contents: Buffer): string {
  const file = path.join(dir, "disk.img");
  fs.writeFileSync(file, contents);
  return file;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-unlock-"));
  fs.mkdirSync(path.join(dir, "bin"));
  // The agent: records its arguments, then writes the 32-byte key to stdout (or refuses).
  stub(
    "node",
    `echo "node $*" >> "$STUB_DIR/calls.log"
if [ "\${STUB_AGENT_FAIL:-}" = 1 ]; then echo "basekms agent boot: KMS_REFUSED (COMPOSE_HASH_NOT_ALLOWED): refused" >&2; exit 1; fi
printf "$(echo "$STUB_KEY_HEX" | sed 's/../\\\\x&/g')"`,
  );
  // cryptsetup: isLuks answers STUB_IS_LUKS; luksFormat/open save their stdin and, like the
  // real tool, fail when no key arrives.
  stub(
    "cryptsetup",
    `echo "cryptsetup $*" >> "$STUB_DIR/calls.log"
case "$1" in
  isLuks) exit "\${STUB_IS_LUKS:-1}" ;;
  luksFormat|open)
    n=$(ls "$STUB_DIR" | grep -c '^stdin-' || true)
    cat > "$STUB_DIR/stdin-$n"
    [ -s "$STUB_DIR/stdin-$n" ] || { echo "No key available with this passphrase." >&2; exit 2; } ;;
esac`,
  );
  stub("mkfs.ext4", `echo "mkfs.ext4 $*" >> "$STUB_DIR/calls.log"`);
  stub("mount", `echo "mount $*" >> "$STUB_DIR/calls.log"`);
  stub("mountpoint", "exit 1");
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("deploy/agent/unlock.sh", () => {
  it("opens an existing LUKS volume with the key piped from `agent boot --out -`, then mounts it", () => {
    const result = run(device(randomBytes(4096)), { STUB_IS_LUKS: "0" });
    expect(result.status, result.stderr).toBe(0);
    const log = calls();
    const agent = log.filter((line) => line.startsWith("node "));
    expect(agent).toHaveLength(1);
    expect(agent[0]).toContain("/opt/basekms/bin/basekms.js agent boot");
    expect(agent[0]).toContain("--out -");
    expect(log.some((line) => /^cryptsetup open --type luks2 --key-file=- \S+ basekms-test-/.test(line))).toBe(true);
    expect(stdinOf(0).toString("hex")).toBe(KEY_HEX);
    expect(log.some((line) => line.startsWith("mount -o nodev,nosuid /dev/mapper/basekms-test-"))).toBe(true);
    expect(log.some((line) => line.startsWith("mkfs.ext4"))).toBe(false);
    // The key never reaches the script's own output.
    expect(result.stdout + result.stderr).not.toContain(KEY_HEX);
  });

  it("formats a blank device on first boot, then opens it, both with the key on stdin", () => {
    const result = run(device(Buffer.alloc(2 * 1024 * 1024)));
    expect(result.status, result.stderr).toBe(0);
    const log = calls();
    const format = log.findIndex((line) => line.startsWith("cryptsetup luksFormat --batch-mode --type luks2"));
    const open = log.findIndex((line) => line.startsWith("cryptsetup open"));
    expect(format).toBeGreaterThan(0);
    expect(open).toBeGreaterThan(format);
    expect(log.filter((line) => line.startsWith("node "))).toHaveLength(2);
    expect(stdinOf(0).toString("hex")).toBe(KEY_HEX);
    expect(stdinOf(1).toString("hex")).toBe(KEY_HEX);
    expect(log.some((line) => line.startsWith("mkfs.ext4 -q -L basekms-data /dev/mapper/basekms-test-"))).toBe(true);
  });

  it("refuses a device that is neither LUKS nor blank, without asking for a key", () => {
    const contents = Buffer.alloc(2 * 1024 * 1024);
    contents[4096] = 1;
    const result = run(device(contents));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("neither a LUKS volume nor blank");
    expect(calls().some((line) => line.startsWith("node ") || line.startsWith("cryptsetup luksFormat"))).toBe(false);
  });

  it("fails the boot when the agent is refused: cryptsetup gets no key and nothing is mounted", () => {
    const result = run(device(randomBytes(4096)), { STUB_IS_LUKS: "0", STUB_AGENT_FAIL: "1" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("KMS_REFUSED (COMPOSE_HASH_NOT_ALLOWED)");
    expect(stdinOf(0).length).toBe(0);
    expect(calls().some((line) => line.startsWith("mount "))).toBe(false);
  });

  it("stops before anything else when a required setting is missing", () => {
    const result = run(device(randomBytes(4096)), { STUB_IS_LUKS: "0", BASEKMS_INSTANCE_ID: "" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("BASEKMS_INSTANCE_ID");
    expect(calls()).toEqual([]);
  });
});
