/**
 * Re-evaluates mirrored leaves at their policy blocks once the sync has reached them, with the
 * same rules as `basekms audit log` (core/audit/judgeLeaf). Verdicts carry their policy block's
 * checkpoint, so a reorg below that block deletes them and they are judged again.
 */
import { createPlatformCursor, judgeLeaf, type BlockHeader } from "../../core/audit";
import type { Deployment } from "../../core/chain/deployment";
import type { Hex } from "../../core/policy";
import { parseLeaf } from "../../core/releaseLog";
import { eventCheckpoint } from "../db/checkpoint";
import type { PolicyStateCache } from "../policyStateCache";
import type { MirrorStore } from "./mirrorStore";

export interface JudgeDeps {
  readonly store: MirrorStore;
  readonly policy: PolicyStateCache;
  readonly deployment: Deployment;
  readonly kms: Hex;
  /** The canonical header of a block at or below the synced block. */
  readonly header: (blockNumber: number) => Promise<BlockHeader | null>;
}

/** Judges every leaf that is ready; returns how many were judged. */
export async function judgeMirroredLeaves(deps: JudgeDeps): Promise<number> {
  const { state, events, syncedBlock } = deps.policy.current();
  const pending = deps.store.unjudged(syncedBlock);
  if (pending.length === 0) return 0;
  const cursor = createPlatformCursor(events);
  for (const { index, body } of pending) {
    const { leaf } = parseLeaf(body);
    const header = await deps.header(leaf.policyBlock.number);
    const findings = judgeLeaf(index, leaf, {
      chainId: deps.deployment.chainId,
      appRegistry: deps.deployment.contracts.AppRegistry.address.toLowerCase() as Hex,
      kms: deps.kms,
      history: state,
      platformAtBlock: header ? cursor.stateAt(BigInt(header.number)) : null,
      policyBlock: {
        number: leaf.policyBlock.number,
        claimedHash: leaf.policyBlock.hash as Hex,
        canonical: header ? { hash: header.hash, timestamp: header.timestamp } : null,
      },
    });
    deps.store.recordVerdict(index, findings, eventCheckpoint(leaf.policyBlock.number, 0));
  }
  return pending.length;
}
