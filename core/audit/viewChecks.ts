/**
 * `audit replay`, the pure half: from a state rebuilt from events, the list of view calls the
 * contracts must answer identically at the same block, and the comparison of their answers.
 * Every event kind feeds at least one check, so a missing, extra or altered event shows up as a
 * difference. Keys that no longer appear in the state (a disallowed platform, a removed KMS) are
 * taken from the events, so "no longer allowed" is checked too.
 */
import {
  effectiveNoticePeriod,
  isCurrentSigner,
  isPlatformAllowed,
  isReleaseAllowedAt,
  type Hex,
  type PolicyEvent,
  type PolicyState,
} from "../policy";
import { finding, type Finding } from "./findings";

export type ViewContract = "AppRegistry" | "PlatformPolicy";

export interface ViewCheck {
  readonly contract: ViewContract;
  readonly functionName: string;
  readonly args: readonly unknown[];
  /** The answer the rebuilt state gives, in the view's own shape (a tuple for several outputs). */
  readonly expected: unknown;
}

/** The expected answer of a view that must revert (getApp of an app that was never registered). */
export const EXPECT_REVERT: unique symbol = Symbol("reverts");

/** One view's answer: its value, or why the call failed. */
export type ViewAnswer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const ZERO_HASH: Hex = `0x${"0".repeat(64)}`;
/** Indexes 0..5 are TCB statuses; 6 and 7 must be refused. */
const TCB_STATUS_PROBES = [0, 1, 2, 3, 4, 5, 6, 7];

interface SeenKeys {
  /** App id → every compose hash and every account any event names for it. */
  apps: Map<Hex, { composeHashes: Set<Hex>; accounts: Set<Hex> }>;
  platformHashes: Set<Hex>;
  measurements: Set<Hex>;
  kmsIdentities: Set<Hex>;
}

function seenApp(seen: SeenKeys, appId: Hex) {
  let app = seen.apps.get(appId);
  if (!app) {
    app = { composeHashes: new Set(), accounts: new Set() };
    seen.apps.set(appId, app);
  }
  return app;
}

function seenKeys(events: readonly PolicyEvent[]): SeenKeys {
  const seen: SeenKeys = { apps: new Map(), platformHashes: new Set(), measurements: new Set(), kmsIdentities: new Set() };
  for (const event of events) {
    switch (event.kind) {
      case "AppRegistered":
      case "AppConfigUpdated":
        for (const signer of event.signers) seenApp(seen, event.appId).accounts.add(signer);
        break;
      case "AppFrozen":
        seenApp(seen, event.appId);
        break;
      case "ReleaseApproved":
        seenApp(seen, event.appId).composeHashes.add(event.composeHash);
        break;
      case "ReleaseRevoked":
        seenApp(seen, event.appId).composeHashes.add(event.composeHash);
        seenApp(seen, event.appId).accounts.add(event.revoker);
        break;
      case "PlatformAllowanceChanged":
        seen.platformHashes.add(event.platformHash);
        break;
      case "KmsMeasurementAllowanceChanged":
        seen.measurements.add(event.measurement);
        break;
      case "KmsIdentityRegistered":
        seen.measurements.add(event.measurement);
        seen.kmsIdentities.add(event.kms);
        break;
      case "KmsIdentityRemoved":
      case "CheckpointRecorded":
      case "CheckpointConflicted":
        seen.kmsIdentities.add(event.kms);
        break;
      default:
        break;
    }
  }
  return seen;
}

function appRegistryChecks(state: PolicyState, seen: SeenKeys, blockTimestamp: bigint): ViewCheck[] {
  const check = (functionName: string, args: readonly unknown[], expected: unknown): ViewCheck => ({
    contract: "AppRegistry",
    functionName,
    args,
    expected,
  });
  const checks: ViewCheck[] = [check("appCount", [], BigInt(state.apps.size))];
  const appIds = new Set([...state.apps.keys(), ...seen.apps.keys()]);
  for (const appId of appIds) {
    const app = state.apps.get(appId);
    const config = app?.config;
    checks.push(
      check("getApp", [appId], config ? [config.signers, config.threshold, config.noticePeriod, config.configVersion, app.frozen] : EXPECT_REVERT),
      check("getNoticeFloor", [appId], config ? [config.previousNoticePeriod, config.previousNoticeUntil] : EXPECT_REVERT),
      check("effectiveNoticePeriod", [appId], app ? effectiveNoticePeriod(app, blockTimestamp) : EXPECT_REVERT),
    );
    const named = seen.apps.get(appId);
    const accounts = new Set([...(app?.configHistory.flatMap((version) => version.signers) ?? []), ...(named?.accounts ?? [])]);
    for (const account of accounts) checks.push(check("isSigner", [appId, account], isCurrentSigner(state, appId, account)));
    const composeHashes = new Set([...(app?.releases.keys() ?? []), ...(named?.composeHashes ?? [])]);
    for (const composeHash of composeHashes) {
      const release = app?.releases.get(composeHash);
      checks.push(
        check("getRelease", [appId, composeHash], release ? [release.activatesAt, release.revokedAt, release.nonce] : [0n, 0n, 0]),
        check("isReleaseAllowed", [appId, composeHash], isReleaseAllowedAt(state, appId, composeHash, blockTimestamp)),
      );
    }
  }
  return checks;
}

function platformPolicyChecks(state: PolicyState, seen: SeenKeys): ViewCheck[] {
  const check = (functionName: string, args: readonly unknown[], expected: unknown): ViewCheck => ({
    contract: "PlatformPolicy",
    functionName,
    args,
    expected,
  });
  const { platform } = state;
  const checks: ViewCheck[] = [
    check("governance", [], platform.governance),
    check("pendingGovernance", [], platform.pendingGovernance),
    check("allowedTcbStatuses", [], platform.allowedTcbStatuses),
  ];
  for (const platformHash of seen.platformHashes) {
    checks.push(check("isPlatformHashAllowed", [platformHash], platform.allowedPlatforms.has(platformHash)));
  }
  // The TCB mask combined with a platform hash: one allowed hash (if any) against every status.
  const probe = [...platform.allowedPlatforms][0] ?? [...seen.platformHashes][0] ?? ZERO_HASH;
  for (const status of TCB_STATUS_PROBES) {
    checks.push(check("isPlatformAllowed", [probe, status], isPlatformAllowed(state, probe, status)));
  }
  for (const measurement of seen.measurements) {
    checks.push(check("isKmsMeasurementAllowed", [measurement], platform.allowedKmsMeasurements.has(measurement)));
  }
  for (const kms of seen.kmsIdentities) {
    const identity = platform.kmsIdentities.get(kms);
    const log = platform.checkpoints.get(kms);
    const latestTreeSize = log?.latestTreeSize ?? 0n;
    checks.push(
      check("getKmsIdentity", [kms], [
        identity?.active ?? false,
        identity?.quoteHash ?? ZERO_HASH,
        identity?.measurement ?? ZERO_HASH,
        latestTreeSize,
      ]),
      check("isKmsIdentity", [kms], identity?.active ?? false),
      check("latestCheckpoint", [kms], [latestTreeSize, log?.roots.get(latestTreeSize) ?? ZERO_HASH]),
      check("checkpointRoot", [kms, latestTreeSize + 1n], ZERO_HASH),
    );
    for (const [treeSize, rootHash] of log?.roots ?? []) checks.push(check("checkpointRoot", [kms, treeSize], rootHash));
  }
  return checks;
}

/**
 * The view calls to make at a block, with the answers the rebuilt `state` gives. `events` are
 * the events the state was rebuilt from; `blockTimestamp` is the block's timestamp (the views
 * that depend on time read `block.timestamp`).
 */
export function policyViewChecks(state: PolicyState, events: readonly PolicyEvent[], blockTimestamp: bigint): ViewCheck[] {
  const seen = seenKeys(events);
  return [...appRegistryChecks(state, seen, blockTimestamp), ...platformPolicyChecks(state, seen)];
}

/** One text per value: integers as decimals, hex and addresses lowercase, tuples as arrays. */
export function normalizeViewValue(value: unknown): unknown {
  if (typeof value === "bigint" || typeof value === "number") return value.toString(10);
  if (typeof value === "string") return value.toLowerCase();
  if (Array.isArray(value)) return value.map(normalizeViewValue);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, normalizeViewValue(entry)]));
  }
  return value;
}

function describeCall(check: ViewCheck): string {
  const args = check.args.map((arg) => (typeof arg === "bigint" ? arg.toString() : String(arg))).join(", ");
  return `${check.contract}.${check.functionName}(${args})`;
}

/** One VIEW_MISMATCH finding per check whose answer differs (or failed); `answers[i]` answers `checks[i]`. */
export function compareViewAnswers(checks: readonly ViewCheck[], answers: readonly ViewAnswer[]): Finding[] {
  const findings: Finding[] = [];
  checks.forEach((check, index) => {
    const answer = answers[index];
    if (check.expected === EXPECT_REVERT && answer && !answer.ok) return;
    const expected = check.expected === EXPECT_REVERT ? "a revert" : normalizeViewValue(check.expected);
    const actual = answer?.ok ? normalizeViewValue(answer.value) : undefined;
    if (answer?.ok && JSON.stringify(actual) === JSON.stringify(expected)) return;
    const call = describeCall(check);
    findings.push(
      finding("VIEW_MISMATCH", `${call} answers ${answer?.ok ? JSON.stringify(actual) : "an error"}; the events give ${JSON.stringify(expected)}`, {
        contract: check.contract,
        functionName: check.functionName,
        args: normalizeViewValue(check.args),
        expected,
        actual: answer?.ok ? actual : null,
        error: answer && !answer.ok ? answer.error : null,
      }),
    );
  });
  return findings;
}
