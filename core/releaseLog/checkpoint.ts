import { keccak_256 } from "@noble/hashes/sha3.js";
import { type Address, type Hex, type LocalAccount, domainSeparator, isAddressEqual, recoverTypedDataAddress } from "viem";
import { fromHex, toHex0x, utf8 } from "../bytes";
import { type ContractDomain, checkpointTypes } from "../contracts/typedData";
import { ReleaseLogError } from "./errors";
import { checksumAddress, hash32Hex, isStrictSignature, safeUint } from "./typedSignature";

/**
 * Signed checkpoints (tree heads) of a KMS's release log: EIP-712
 * `Checkpoint(uint64 treeSize,bytes32 rootHash)` under the PlatformPolicy domain
 * (`platformPolicyDomain(chainId, policyAddress)`), exactly what
 * `PlatformPolicy.checkpoint(treeSize, rootHash, signature)` recovers on chain. This is an
 * edge type, so hashes and signatures are `0x` hex.
 */
export interface SignedCheckpoint {
  treeSize: number;
  rootHash: Hex;
  /** The KMS identity that signed. */
  kms: Address;
  signature: Hex;
}

function checkpointMessage(treeSize: unknown, rootHash: unknown): { treeSize: bigint; rootHash: Hex } {
  const size = safeUint(treeSize);
  if (size === undefined) throw new ReleaseLogError("CHECKPOINT_INVALID", "checkpoint treeSize must be a safe non-negative integer");
  const root = hash32Hex(rootHash);
  if (!root) throw new ReleaseLogError("CHECKPOINT_INVALID", "checkpoint rootHash must be 32 bytes (0x hex or bytes)");
  return { treeSize: BigInt(size), rootHash: root };
}

const CHECKPOINT_TYPEHASH = keccak_256(utf8("Checkpoint(uint64 treeSize,bytes32 rootHash)"));
const domainSeparators = new Map<string, Uint8Array>();

/** `hashDomain` of a domain, computed once per domain: it does not change while a KMS runs. */
function domainSeparatorOf(domain: ContractDomain): Uint8Array {
  const key = `${domain.name}\n${domain.version}\n${domain.chainId}\n${domain.verifyingContract.toLowerCase()}`;
  let separator = domainSeparators.get(key);
  if (!separator) {
    separator = fromHex(domainSeparator({ domain }));
    if (domainSeparators.size >= 64) domainSeparators.clear();
    domainSeparators.set(key, separator);
  }
  return separator;
}

/**
 * The EIP-712 digest of `Checkpoint(treeSize, rootHash)` under `domain`:
 * keccak256(0x1901 ‖ domainSeparator ‖ keccak256(typeHash ‖ uint256(treeSize) ‖ rootHash)).
 * The same bytes as viem's `hashTypedData` (test/releaseLog checks it on random heads), at a
 * tenth of the cost: a KMS signs one checkpoint per committed batch, on its main thread.
 */
export function checkpointDigest(domain: ContractDomain, treeSize: number, rootHash: Uint8Array | Hex): Hex {
  return digestOf(domain, checkpointMessage(treeSize, rootHash));
}

function digestOf(domain: ContractDomain, message: { treeSize: bigint; rootHash: Hex }): Hex {
  const struct = new Uint8Array(96);
  struct.set(CHECKPOINT_TYPEHASH, 0);
  new DataView(struct.buffer).setBigUint64(56, message.treeSize);
  struct.set(fromHex(message.rootHash), 64);
  const envelope = new Uint8Array(66);
  envelope.set([0x19, 0x01], 0);
  envelope.set(domainSeparatorOf(domain), 2);
  envelope.set(keccak_256(struct), 34);
  return toHex0x(keccak_256(envelope));
}

/** Signs the tree head `(treeSize, rootHash)` with the KMS identity `account`. */
export async function signCheckpoint(
  account: LocalAccount,
  domain: ContractDomain,
  treeSize: number,
  rootHash: Uint8Array | Hex,
): Promise<SignedCheckpoint> {
  const message = checkpointMessage(treeSize, rootHash);
  // A local key signs the digest directly (RFC 6979: the same signature signTypedData makes).
  const signature = account.sign
    ? await account.sign({ hash: digestOf(domain, message) })
    : await account.signTypedData({ domain, types: checkpointTypes, primaryType: "Checkpoint", message });
  return { treeSize: Number(message.treeSize), rootHash: message.rootHash, kms: account.address, signature };
}

/** The address that signed `(treeSize, rootHash)`. Throws `CHECKPOINT_SIGNATURE_INVALID` on a malformed signature. */
export async function recoverCheckpointSigner(
  checkpoint: Pick<SignedCheckpoint, "treeSize" | "rootHash" | "signature">,
  domain: ContractDomain,
): Promise<Address> {
  const message = checkpointMessage(checkpoint.treeSize, checkpoint.rootHash);
  if (!isStrictSignature(checkpoint.signature)) {
    throw new ReleaseLogError("CHECKPOINT_SIGNATURE_INVALID", "checkpoint signature is not a 65-byte low-s ECDSA signature");
  }
  try {
    return await recoverTypedDataAddress({
      domain,
      types: checkpointTypes,
      primaryType: "Checkpoint",
      message,
      signature: checkpoint.signature,
    });
  } catch (cause) {
    throw new ReleaseLogError("CHECKPOINT_SIGNATURE_INVALID", "checkpoint signature recovers no key", { cause });
  }
}

/**
 * Checks that `checkpoint.kms` signed `(treeSize, rootHash)` under `domain`. Whether that
 * address is a registered KMS identity is the caller's question (it needs the chain).
 * Throws `CHECKPOINT_INVALID` or `CHECKPOINT_SIGNATURE_INVALID`.
 */
export async function verifyCheckpointSignature(checkpoint: SignedCheckpoint, domain: ContractDomain): Promise<void> {
  const kms = checksumAddress(checkpoint.kms);
  if (!kms) throw new ReleaseLogError("CHECKPOINT_INVALID", "checkpoint kms must be an address");
  const signer = await recoverCheckpointSigner(checkpoint, domain);
  if (!isAddressEqual(signer, kms)) {
    throw new ReleaseLogError("CHECKPOINT_SIGNATURE_INVALID", `checkpoint is signed by ${signer}, not ${kms}`);
  }
}
