import { hkdfSync } from "node:crypto";
import path from "node:path";
import type { Address, LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { fromHex, toHex0x, utf8 } from "../../core/bytes";
import { createSandboxSecretFile, readSandboxSecretFile } from "../secrets";
import { KmsError } from "../errors";

/**
 * The KMS identity: a secp256k1 key whose Ethereum address governance registers in
 * `PlatformPolicy` and which signs the log's checkpoints (and so every receipt).
 * - sandbox: a random key in `<dataDir>/kms-identity.key` (32 raw bytes, mode 0600, created
 *   once with the same durable, never-replace routine as the sandbox root secret);
 * - sealed: derived from the root secret, so it never touches disk:
 *   `HKDF-SHA256(ikm = rootSecret, salt = "basekms/kms-identity/v1", info = instanceName, L = 32)`.
 *   The instance name keeps replicas that share one root secret apart: each KMS instance
 *   anchors its own log, and `PlatformPolicy` tracks one growing tree per identity.
 */
export interface KmsIdentity {
  account: LocalAccount;
  address: Address;
  storage: "sandbox-file" | "derived-from-root-secret";
}

export const SANDBOX_IDENTITY_FILE = "kms-identity.key";
const IDENTITY_SALT = utf8("basekms/kms-identity/v1");
const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function isValidPrivateKey(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  const value = BigInt(toHex0x(key));
  return value > 0n && value < SECP256K1_ORDER;
}

function identityOf(key: Uint8Array, storage: KmsIdentity["storage"]): KmsIdentity {
  if (!isValidPrivateKey(key)) throw new KmsError("KMS_IDENTITY_INVALID", "the KMS identity key is not a valid secp256k1 private key");
  const account = privateKeyToAccount(toHex0x(key));
  return { account, address: account.address, storage };
}

/** Sandbox: loads `<dataDir>/kms-identity.key`, creating it (0600) on first start. */
export function loadSandboxIdentity(dataDir: string): KmsIdentity {
  const file = path.join(dataDir, SANDBOX_IDENTITY_FILE);
  let key = readSandboxSecretFile(file);
  if (!key) {
    const created = fromHex(generatePrivateKey());
    if (createSandboxSecretFile(file, created) === "created") key = created;
    else key = readSandboxSecretFile(file);
  }
  if (!key) throw new KmsError("KMS_IDENTITY_INVALID", `the KMS identity file ${file} vanished after creation`);
  return identityOf(key, "sandbox-file");
}

/** Sealed: the identity derived from the root secret and this instance's name. */
export function deriveSealedIdentity(rootSecret: Uint8Array, instanceName: string): KmsIdentity {
  const key = new Uint8Array(hkdfSync("sha256", rootSecret, IDENTITY_SALT, utf8(instanceName), 32));
  return identityOf(key, "derived-from-root-secret");
}
