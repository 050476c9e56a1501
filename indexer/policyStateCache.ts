/**
 * The policy state replayed (core/policy, by parts: core/audit/replayHistory) from the events the
 * indexer stored, kept until the synced block changes. The mirror judges leaves with it and the
 * report endpoint answers from it, so both use the same rules as `basekms audit`.
 */
import { replayPolicyHistory } from "../core/audit";
import type { Deployment } from "../core/chain/deployment";
import type { PolicyEvent, PolicyState } from "../core/policy";
import type { ChainQueries } from "./db/chainQueries";

export interface ReplayedPolicy {
  readonly state: PolicyState;
  readonly events: readonly PolicyEvent[];
  readonly syncedBlock: number;
}

export interface PolicyStateCache {
  current(): ReplayedPolicy;
}

export function createPolicyStateCache(chain: ChainQueries, deployment: Deployment): PolicyStateCache {
  let cached: (ReplayedPolicy & { key: string }) | undefined;
  return {
    current() {
      const { syncedBlock, syncedHash } = chain.syncState();
      const key = `${syncedBlock}/${syncedHash ?? ""}`;
      if (cached?.key !== key) {
        const events = chain.policyEvents(deployment);
        cached = { key, events, state: replayPolicyHistory(events), syncedBlock };
      }
      return cached;
    },
  };
}
