/**
 * The reducer: policy state + one event → the next policy state. It is pure and deterministic: the
 * same events in the same order always give the same state, and the input state is never changed
 * (untouched parts are shared). Events must come in strictly increasing (blockNumber, logIndex)
 * order, which also refuses a log applied twice.
 *
 * Cost: an event copies the collections on its path (the apps map and one app's releases, or one
 * platform collection), so replaying n events is O(n × collection size). That is fine for an
 * audit's history; a long-running indexer keeps its own tables.
 */
import { applyAppRegistryEvent } from "./appEvents";
import { PolicyReplayError } from "./errors";
import { compareEventPositions, isAppRegistryEvent, type PolicyEvent } from "./events";
import { applyPlatformPolicyEvent } from "./platformEvents";
import { emptyPolicyState, type PolicyState } from "./state";

/** Applies `event` to `state`. Throws PolicyReplayError when the history breaks a contract rule. */
export function applyPolicyEvent(state: PolicyState, event: PolicyEvent): PolicyState {
  if (state.lastEvent && compareEventPositions(event, state.lastEvent) <= 0) {
    throw new PolicyReplayError(
      "REPLAY_EVENT_OUT_OF_ORDER",
      `event at block ${event.blockNumber} log ${event.logIndex} does not follow ` +
        `block ${state.lastEvent.blockNumber} log ${state.lastEvent.logIndex}`,
    );
  }
  const lastEvent = { blockNumber: event.blockNumber, logIndex: event.logIndex };
  if (isAppRegistryEvent(event)) {
    return { ...state, apps: applyAppRegistryEvent(state.apps, event), lastEvent };
  }
  return { ...state, platform: applyPlatformPolicyEvent(state.platform, event), lastEvent };
}

/** Folds `events` (in chain order) into `initial`, by default the empty state. */
export function replayPolicyEvents(events: Iterable<PolicyEvent>, initial: PolicyState = emptyPolicyState()): PolicyState {
  let state = initial;
  for (const event of events) state = applyPolicyEvent(state, event);
  return state;
}
