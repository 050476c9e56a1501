import { toHex } from "../../core/bytes";
import type { PolicyBlock } from "../policy/policyBlock";
import type { Receipt } from "../schemas";
import type { CommittedLeaf } from "./logWriter";

/** The receipt of docs/protocol.md §4 for a committed leaf. */
export function receiptOf(committed: CommittedLeaf, leafBytes: Uint8Array, policyBlock: PolicyBlock): Receipt {
  return {
    logIndex: committed.index,
    leafHash: toHex(committed.leafHash),
    leaf: Buffer.from(leafBytes).toString("utf8"),
    treeSize: committed.treeSize,
    rootHash: toHex(committed.rootHash),
    inclusionProof: committed.inclusionProof.map(toHex),
    policyBlock: { number: policyBlock.number, hash: policyBlock.hash.toLowerCase() as `0x${string}` },
    kms: committed.checkpoint.kms,
    signature: committed.checkpoint.signature,
  };
}
