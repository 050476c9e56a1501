import { hkdfSha256 } from "./nodeHkdf";
import { concatBytes, isAllZero, utf8 } from "../bytes";
import { addressBytes, exactBytes, lengthPrefixed, u32be, u64be } from "./encoding";
import { CryptoError } from "./errors";

export const ROOT_SECRET_LENGTH = 32;
export const DISK_KEY_LENGTH = 32;
export const APP_ID_LENGTH = 20;
/** Generous for dstack's 20-byte (or empty) instance id, and keeps the HKDF info well bounded. */
export const MAX_INSTANCE_ID_LENGTH = 256;

const DISK_KEY_SALT = utf8("basekms/v1");
const DISK_KEY_LABEL = utf8("disk");

export interface DiskKeyContext {
  /** EIP-155 chain id of the chain whose policy governs the release. */
  chainId: bigint | number;
  /** The AppRegistry contract address (`0x` + 40 hex). */
  contract: `0x${string}`;
  /** The app id, 20 bytes, as registered in the AppRegistry. */
  appId: Uint8Array;
  /** The instance id measured into RTMR3; may be empty; at most 256 bytes. */
  instanceId: Uint8Array;
  /** Key epoch, u32. Bumping it rotates the key without changing the app. */
  epoch: number;
}

/**
 * The HKDF `info` for a disk key. Byte layout (big-endian integers):
 *
 * ```text
 * offset  size  field
 *      0     4  "disk" (ASCII)
 *      4     8  chainId            u64be
 *     12    20  contract           AppRegistry address
 *     32    20  appId
 *     52     2  len(instanceId)    u16be
 *     54     n  instanceId
 *   54+n     4  epoch              u32be
 * ```
 *
 * Only `instanceId` is variable; its length prefix makes the encoding injective, so two
 * different contexts can never share an info string (and so can never share a key).
 */
export function diskKeyInfo(context: DiskKeyContext): Uint8Array {
  const appId = exactBytes(context.appId, APP_ID_LENGTH, "appId");
  if (!(context.instanceId instanceof Uint8Array) || context.instanceId.length > MAX_INSTANCE_ID_LENGTH) {
    throw new CryptoError("INPUT_INVALID", `instanceId must be bytes, at most ${MAX_INSTANCE_ID_LENGTH} long`);
  }
  return concatBytes(
    DISK_KEY_LABEL,
    u64be(context.chainId, "chainId"),
    addressBytes(context.contract, "contract"),
    appId,
    lengthPrefixed(context.instanceId, "instanceId"),
    u32be(context.epoch, "epoch"),
  );
}

/**
 * `diskKey = HKDF-SHA256(ikm = rootSecret, salt = "basekms/v1", info = diskKeyInfo(context), L = 32)`
 * (RFC 5869). Deterministic, so KMS replicas and restarts agree, and an approved upgrade of the
 * same app (new compose hash; the compose hash is deliberately not an input) keeps its key.
 */
export function deriveDiskKey(rootSecret: Uint8Array, context: DiskKeyContext): Uint8Array {
  if (!(rootSecret instanceof Uint8Array) || rootSecret.length !== ROOT_SECRET_LENGTH) {
    throw new CryptoError("KEY_INVALID", `root secret must be ${ROOT_SECRET_LENGTH} bytes`);
  }
  // An all-zero root secret is never random: it means an unset buffer, not a secret.
  if (isAllZero(rootSecret)) throw new CryptoError("KEY_INVALID", "root secret is all zero");
  const info = diskKeyInfo(context);
  return hkdfSha256(rootSecret, DISK_KEY_SALT, info, DISK_KEY_LENGTH);
}
