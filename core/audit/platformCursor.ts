/**
 * PlatformPolicy's state block by block, for judging many leaves at their own policy blocks:
 * asked for non-decreasing block numbers, it applies the platform events of each block once.
 * App releases need no cursor: `isReleaseAllowedAt` answers for any past moment from the state
 * at the chain head, because every approval and revocation keeps its time.
 */
import { applyPolicyEvent, emptyPolicyState, isAppRegistryEvent, type PolicyEvent, type PolicyState } from "../policy";

export interface PlatformCursor {
  /** The platform state at the end of `blockNumber`. Block numbers must not decrease between calls. */
  stateAt(blockNumber: bigint): PolicyState;
}

/** `events` in chain order; AppRegistry events are skipped. */
export function createPlatformCursor(events: readonly PolicyEvent[]): PlatformCursor {
  const platformEvents = events.filter((event) => !isAppRegistryEvent(event));
  let state = emptyPolicyState();
  let next = 0;
  let lastAsked = -1n;
  return {
    stateAt(blockNumber) {
      if (blockNumber < lastAsked) throw new RangeError(`platform cursor asked for block ${blockNumber} after ${lastAsked}`);
      lastAsked = blockNumber;
      while (next < platformEvents.length && platformEvents[next]!.blockNumber <= blockNumber) {
        state = applyPolicyEvent(state, platformEvents[next]!);
        next += 1;
      }
      return state;
    },
  };
}
