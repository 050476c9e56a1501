import { concatBytes, utf8 } from "../bytes";
import { addressBytes, exactBytes, lengthPrefixed, u64be } from "./encoding";
import { CryptoError } from "./errors";
import { APP_ID_LENGTH, MAX_INSTANCE_ID_LENGTH } from "./keyDerivation";

const KEY_RELEASE_LABEL = utf8("basekms/key-release/v1");

export interface SealInfoContext {
  chainId: bigint | number;
  /** The AppRegistry contract address (`0x` + 40 hex). */
  appRegistry: `0x${string}`;
  /** 20 bytes. */
  appId: Uint8Array;
  /** May be empty; at most 256 bytes. */
  instanceId: Uint8Array;
  /** The release log index of the leaf that records this release (u64). */
  logIndex: bigint | number;
}

/**
 * HPKE `info` for a released disk key. Both sides compute it: the KMS from the request it
 * verified and the leaf it appended, the agent from what it asked for and the receipt. If
 * any field differs, the envelope does not open, so a key sealed for one app, instance,
 * chain or log entry can never be accepted as another's.
 *
 * Byte layout (big-endian integers):
 *
 * ```text
 * offset  size  field
 *      0    22  "basekms/key-release/v1" (ASCII)
 *     22     8  chainId            u64be
 *     30    20  appRegistry        address
 *     50    20  appId
 *     70     2  len(instanceId)    u16be
 *     72     n  instanceId
 *   72+n     8  logIndex           u64be
 * ```
 */
export function sealInfo(context: SealInfoContext): Uint8Array {
  const appId = exactBytes(context.appId, APP_ID_LENGTH, "appId");
  if (!(context.instanceId instanceof Uint8Array) || context.instanceId.length > MAX_INSTANCE_ID_LENGTH) {
    throw new CryptoError("INPUT_INVALID", `instanceId must be bytes, at most ${MAX_INSTANCE_ID_LENGTH} long`);
  }
  return concatBytes(
    KEY_RELEASE_LABEL,
    u64be(context.chainId, "chainId"),
    addressBytes(context.appRegistry, "appRegistry"),
    appId,
    lengthPrefixed(context.instanceId, "instanceId"),
    u64be(context.logIndex, "logIndex"),
  );
}
