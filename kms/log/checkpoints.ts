import { type Hex, getAddress } from "viem";
import { bytesEqual, fromHex, toHex0x } from "../../core/bytes";
import type { SignedCheckpoint } from "../../core/releaseLog/checkpoint";
import { ReleaseLogError } from "../../core/releaseLog/errors";
import { checksumAddress, hash32Hex, isStrictSignature, safeUint } from "../../core/releaseLog/typedSignature";
import { type CheckpointRow, type Statements, toBlob, toBytes } from "./statements";
import type { StoredCheckpoint } from "./types";

/**
 * The checkpoints table: tree heads the KMS signed, and where each was anchored on chain.
 * A checkpoint is recorded only if its root is this log's root at its size, so the table
 * can never hold a head the log does not back. Signatures are checked for form here; the
 * signer was this KMS's own key (the caller just signed).
 */
function fromRow(row: CheckpointRow): StoredCheckpoint {
  return {
    treeSize: row.tree_size,
    rootHash: toHex0x(toBytes(row.root_hash)),
    kms: getAddress(toHex0x(toBytes(row.kms))),
    signature: toHex0x(toBytes(row.signature)),
    signedAt: row.signed_at,
    anchoredTx: row.anchored_tx ? toHex0x(toBytes(row.anchored_tx)) : null,
    anchoredBlock: row.anchored_block,
  };
}

export function createCheckpointStore(parameters: {
  statements: Statements;
  size: () => number;
  root: (treeSize: number) => Uint8Array;
  now: () => number;
}) {
  const { statements, size, root, now } = parameters;

  const checkpoint = (treeSize: number): StoredCheckpoint | undefined => {
    const row = statements.checkpointAt.get(treeSize);
    return row ? fromRow(row) : undefined;
  };

  const recordCheckpoint = (signed: SignedCheckpoint, signedAt = now()): StoredCheckpoint => {
    const treeSize = safeUint(signed.treeSize);
    const rootHash = hash32Hex(signed.rootHash);
    const kms = checksumAddress(signed.kms);
    if (treeSize === undefined || !rootHash || !kms || !isStrictSignature(signed.signature)) {
      throw new ReleaseLogError("CHECKPOINT_INVALID", "checkpoint needs a tree size, a 32-byte root, a kms address and a 65-byte signature");
    }
    if (treeSize > size()) {
      throw new ReleaseLogError("CHECKPOINT_MISMATCH", `checkpoint size ${treeSize} is beyond the log (${size()})`);
    }
    if (!bytesEqual(fromHex(rootHash), root(treeSize))) {
      throw new ReleaseLogError("CHECKPOINT_MISMATCH", `checkpoint root is not this log's root at size ${treeSize}`);
    }
    statements.insertCheckpoint.run(treeSize, toBlob(fromHex(rootHash)), toBlob(fromHex(kms)), toBlob(fromHex(signed.signature)), signedAt);
    return checkpoint(treeSize) as StoredCheckpoint;
  };

  const markAnchored = (treeSize: number, transactionHash: Hex, blockNumber: number): StoredCheckpoint => {
    const tx = hash32Hex(transactionHash);
    if (!tx || safeUint(blockNumber) === undefined) {
      throw new ReleaseLogError("CHECKPOINT_INVALID", "an anchor needs a 32-byte transaction hash and a block number");
    }
    const { changes } = statements.markAnchored.run(toBlob(fromHex(tx)), blockNumber, treeSize);
    if (changes === 0) throw new ReleaseLogError("CHECKPOINT_UNKNOWN", `no checkpoint was recorded at size ${treeSize}`);
    return checkpoint(treeSize) as StoredCheckpoint;
  };

  const latestCheckpoint = (): StoredCheckpoint | undefined => {
    const row = statements.latestCheckpoint.get();
    return row ? fromRow(row) : undefined;
  };

  const latestAnchoredCheckpoint = (): StoredCheckpoint | undefined => {
    const row = statements.latestAnchoredCheckpoint.get();
    return row ? fromRow(row) : undefined;
  };

  return {
    checkpoint,
    recordCheckpoint,
    markAnchored,
    latestCheckpoint,
    latestAnchoredCheckpoint,
    unanchoredCount: () => size() - (latestAnchoredCheckpoint()?.treeSize ?? 0),
  };
}
