/**
 * Rebuilds the whole policy state from events with the core/policy reducer, fast enough for long
 * histories. The reducer copies the collections on an event's path, so one replay of n events
 * costs O(n × collection size): 100,000 approvals over 300 apps take about ten seconds. Its
 * state splits into parts that no event reads across:
 * - one app's configuration (AppRegistered, AppConfigUpdated, AppFrozen) and one of its compose
 *   hashes' approvals and revocations: a release event reads only its app's configuration and
 *   its own record;
 * - one platform hash's allowance: PlatformAllowanceChanged neither reads nor is read by any
 *   other event;
 * - everything else of PlatformPolicy (governance, TCB statuses, KMS measurements, identities,
 *   checkpoints), which reads itself.
 * So each part is replayed on its own, with the same `applyPolicyEvent`, and the parts are put
 * back together. The result equals `replayPolicyEvents(events)` (test/audit/replayHistory.test.ts
 * checks it on random histories); the order of `allowedPlatforms` is not meaningful and may differ.
 *
 * A history that breaks a contract rule throws the same PolicyReplayError as a plain replay:
 * the first failing event in chain order fails in its own part too, at the same place.
 */
import {
  applyPolicyEvent,
  compareEventPositions,
  emptyPolicyState,
  PolicyReplayError,
  type AppState,
  type EventPosition,
  type Hex,
  type PolicyEvent,
  type PolicyState,
  type ReleaseState,
} from "../policy";

interface AppPartition {
  readonly config: PolicyEvent[];
  /** Compose hash → its approvals and revocations, in chain order. */
  readonly releases: Map<Hex, PolicyEvent[]>;
}

interface Partitions {
  readonly apps: Map<Hex, AppPartition>;
  readonly platform: PolicyEvent[];
  readonly platformAllowances: Map<Hex, PolicyEvent[]>;
}

/** The index of the first event that does not follow its predecessor, or -1 when positions strictly increase. */
function firstOutOfOrder(events: readonly PolicyEvent[]): number {
  for (let index = 1; index < events.length; index += 1) {
    if (compareEventPositions(events[index]!, events[index - 1]!) <= 0) return index;
  }
  return -1;
}

function outOfOrderError(events: readonly PolicyEvent[], index: number): PolicyReplayError {
  const previous = events[index - 1]!;
  const event = events[index]!;
  return new PolicyReplayError(
    "REPLAY_EVENT_OUT_OF_ORDER",
    `event at block ${event.blockNumber} log ${event.logIndex} does not follow block ${previous.blockNumber} log ${previous.logIndex}`,
  );
}

function appPartition(partitions: Partitions, appId: Hex): AppPartition {
  let partition = partitions.apps.get(appId);
  if (!partition) {
    partition = { config: [], releases: new Map() };
    partitions.apps.set(appId, partition);
  }
  return partition;
}

function pushTo<Key>(map: Map<Key, PolicyEvent[]>, key: Key, event: PolicyEvent): void {
  const list = map.get(key);
  if (list) list.push(event);
  else map.set(key, [event]);
}

function partition(events: readonly PolicyEvent[]): Partitions {
  const partitions: Partitions = { apps: new Map(), platform: [], platformAllowances: new Map() };
  for (const event of events) {
    switch (event.kind) {
      case "AppRegistered":
      case "AppConfigUpdated":
      case "AppFrozen":
        appPartition(partitions, event.appId).config.push(event);
        break;
      case "ReleaseApproved":
      case "ReleaseRevoked":
        pushTo(appPartition(partitions, event.appId).releases, event.composeHash, event);
        break;
      case "PlatformAllowanceChanged":
        pushTo(partitions.platformAllowances, event.platformHash, event);
        break;
      default:
        partitions.platform.push(event);
    }
  }
  return partitions;
}

/** Two chain-ordered lists merged into one. */
function mergeInOrder(left: readonly PolicyEvent[], right: readonly PolicyEvent[]): PolicyEvent[] {
  const merged: PolicyEvent[] = [];
  let l = 0;
  let r = 0;
  while (l < left.length || r < right.length) {
    const takeLeft = r >= right.length || (l < left.length && compareEventPositions(left[l]!, right[r]!) < 0);
    merged.push(takeLeft ? left[l++]! : right[r++]!);
  }
  return merged;
}

interface PartFailure {
  readonly at: EventPosition;
  readonly error: unknown;
}

/** Replays one part from the empty state; on failure, remembers where, so the earliest can win. */
function replayPart(events: readonly PolicyEvent[], failures: PartFailure[]): PolicyState | undefined {
  let state = emptyPolicyState();
  for (const event of events) {
    try {
      state = applyPolicyEvent(state, event);
    } catch (error) {
      failures.push({ at: event, error });
      return undefined;
    }
  }
  return state;
}

function rebuildApp(appId: Hex, part: AppPartition, failures: PartFailure[]): AppState | undefined {
  const app = replayPart(part.config, failures)?.apps.get(appId);
  // Each compose hash replays with the configuration events around it, so a release event that
  // fails (unknown app, frozen app, unauthorized) fails here at the same place as in a plain replay.
  const releases = new Map<Hex, ReleaseState>();
  for (const [composeHash, releaseEvents] of part.releases) {
    const replayed = replayPart(mergeInOrder(part.config, releaseEvents), failures);
    const release = replayed?.apps.get(appId)?.releases.get(composeHash);
    if (release) releases.set(composeHash, release);
  }
  return app ? { ...app, releases } : undefined;
}

/**
 * Rebuilds the state `replayPolicyEvents(events)` would, part by part. Events out of chain order
 * throw REPLAY_EVENT_OUT_OF_ORDER, unless an event before the disorder fails first (as in a plain
 * replay, which stops at the first failing event).
 */
export function replayPolicyHistory(events: readonly PolicyEvent[]): PolicyState {
  const disorder = firstOutOfOrder(events);
  if (disorder >= 0) {
    replayInOrder(events.slice(0, disorder));
    throw outOfOrderError(events, disorder);
  }
  return replayInOrder(events);
}

function replayInOrder(events: readonly PolicyEvent[]): PolicyState {
  const parts = partition(events);
  const failures: PartFailure[] = [];

  const registered: Array<{ at: EventPosition; app: AppState }> = [];
  for (const [appId, part] of parts.apps) {
    const app = rebuildApp(appId, part, failures);
    if (app) registered.push({ at: part.config[0]!, app });
  }
  const platformState = replayPart(parts.platform, failures);
  const allowedPlatforms = new Set<Hex>();
  for (const [platformHash, allowanceEvents] of parts.platformAllowances) {
    if (replayPart(allowanceEvents, failures)?.platform.allowedPlatforms.has(platformHash)) allowedPlatforms.add(platformHash);
  }

  if (failures.length > 0) {
    const first = failures.reduce((earliest, failure) => (compareEventPositions(failure.at, earliest.at) < 0 ? failure : earliest));
    throw first.error;
  }
  registered.sort((a, b) => compareEventPositions(a.at, b.at));
  const last = events[events.length - 1];
  return {
    apps: new Map(registered.map(({ app }) => [app.appId, app])),
    platform: { ...(platformState ?? emptyPolicyState()).platform, allowedPlatforms },
    lastEvent: last ? { blockNumber: last.blockNumber, logIndex: last.logIndex } : null,
  };
}
