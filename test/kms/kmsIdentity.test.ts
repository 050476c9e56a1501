import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { privateKeyToAddress } from "viem/accounts";
import { afterAll, describe, expect, it } from "vitest";
import { concatBytes, fromHex, toHex, toHex0x, utf8 } from "../../core/bytes";
import { kmsMeasurement } from "../../core/attestation/kmsMeasurement";
import { AttestationError } from "../../core/attestation/errors";
import { SANDBOX_IDENTITY_FILE, deriveSealedIdentity, loadSandboxIdentity } from "../../kms/identity/kmsIdentity";

/** The KMS identity key (sandbox file, sealed HKDF derivation) and the KMS measurement. */
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-identity-"));
afterAll(() => fs.rmSync(tempDir, { recursive: true, force: true }));

describe("loadSandboxIdentity", () => {
  it("creates the identity key once, mode 0600, and loads the same identity on the next start", () => {
    const first = loadSandboxIdentity(tempDir);
    const mode = fs.statSync(path.join(tempDir, SANDBOX_IDENTITY_FILE)).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(loadSandboxIdentity(tempDir).address).toBe(first.address);
    expect(first.storage).toBe("sandbox-file");
  });

  it("refuses an identity file readable by others (SECRET_FILE_PERMISSIONS)", () => {
    const dir = fs.mkdtempSync(path.join(tempDir, "loose-"));
    loadSandboxIdentity(dir);
    fs.chmodSync(path.join(dir, SANDBOX_IDENTITY_FILE), 0o644);
    expect(() => loadSandboxIdentity(dir)).toThrow(/must not be accessible to group or others/);
  });
});

describe("deriveSealedIdentity", () => {
  const rootSecret = fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

  it("is HKDF-SHA256(rootSecret, salt 'basekms/kms-identity/v1', info instanceName), computed independently with @noble/hashes", () => {
    const key = hkdf(nobleSha256, rootSecret, utf8("basekms/kms-identity/v1"), utf8("kms-0"), 32);
    expect(deriveSealedIdentity(rootSecret, "kms-0").address).toBe(privateKeyToAddress(toHex0x(key)));
    expect(deriveSealedIdentity(rootSecret, "kms-0").storage).toBe("derived-from-root-secret");
  });

  it("gives replicas sharing a root secret different identities by instance name", () => {
    expect(deriveSealedIdentity(rootSecret, "kms-0").address).not.toBe(deriveSealedIdentity(rootSecret, "kms-1").address);
  });
});

describe("kmsMeasurement", () => {
  it("is SHA-256(platformHash ‖ composeHash)", () => {
    const platform = new Uint8Array(32).fill(1);
    const compose = new Uint8Array(32).fill(2);
    expect(toHex(kmsMeasurement(platform, compose))).toBe(toHex(nobleSha256(concatBytes(platform, compose))));
  });

  it("refuses inputs that are not 32-byte hashes (QUOTE_MALFORMED)", () => {
    expect(() => kmsMeasurement(new Uint8Array(31), new Uint8Array(32))).toThrow(AttestationError);
  });
});
