/**
 * The AppRegistry half of the reducer: apps, their configurations and their releases. Each event
 * is also checked against the contract's rules (nonces, versions, signers, notice), so a history
 * with a missing or forged event fails loudly instead of yielding a plausible wrong state.
 */
import { PolicyReplayError } from "./errors";
import type {
  AppConfigUpdatedEvent,
  AppFrozenEvent,
  AppRegisteredEvent,
  AppRegistryEvent,
  Hex,
  ReleaseApprovedEvent,
  ReleaseRevokedEvent,
} from "./events";
import { effectiveNoticePeriodAt, noticeFloorAfterUpdate } from "./notice";
import { withEntry, type AppState, type ChainMoment, type ReleaseApproval, type ReleaseState } from "./state";

type Apps = ReadonlyMap<Hex, AppState>;

/** Applies one AppRegistry event to the apps; returns new apps and never changes the input. */
export function applyAppRegistryEvent(apps: Apps, event: AppRegistryEvent): Apps {
  switch (event.kind) {
    case "AppRegistered":
      return applyAppRegistered(apps, event);
    case "ReleaseApproved":
      return applyReleaseApproved(apps, event);
    case "ReleaseRevoked":
      return applyReleaseRevoked(apps, event);
    case "AppConfigUpdated":
      return applyAppConfigUpdated(apps, event);
    case "AppFrozen":
      return applyAppFrozen(apps, event);
  }
}

function momentOf(event: AppRegistryEvent): ChainMoment {
  return { blockNumber: event.blockNumber, blockTimestamp: event.blockTimestamp, transactionHash: event.transactionHash };
}

function existingApp(apps: Apps, appId: Hex): AppState {
  const app = apps.get(appId);
  if (!app) throw new PolicyReplayError("REPLAY_UNKNOWN_APP", `app ${appId} was never registered`);
  return app;
}

function writableApp(apps: Apps, appId: Hex): AppState {
  const app = existingApp(apps, appId);
  if (app.frozen) throw new PolicyReplayError("REPLAY_APP_FROZEN", `app ${appId} is frozen`);
  return app;
}

function applyAppRegistered(apps: Apps, event: AppRegisteredEvent): Apps {
  if (apps.has(event.appId)) throw new PolicyReplayError("REPLAY_APP_EXISTS", `app ${event.appId} is registered twice`);
  const since = momentOf(event);
  const config = {
    configVersion: 1n,
    signers: event.signers,
    threshold: event.threshold,
    noticePeriod: event.noticePeriod,
    previousNoticePeriod: 0n,
    previousNoticeUntil: 0n,
    since,
  };
  return withEntry(apps, event.appId, {
    appId: event.appId,
    creator: event.creator,
    registeredAt: since,
    config,
    configHistory: [config],
    frozen: false,
    frozenAt: null,
    releases: new Map(),
  });
}

/** The approvers must be at least k distinct signers of the current configuration, ascending. */
function checkApprovers(app: AppState, signers: readonly Hex[]): void {
  const current = new Set(app.config.signers);
  // Lowercase addresses of equal length sort as strings exactly as they sort as numbers.
  const ascending = signers.every((signer, index) => index === 0 || signers[index - 1]! < signer);
  const allCurrent = signers.every((signer) => current.has(signer));
  if (!ascending || !allCurrent || signers.length < app.config.threshold) {
    throw new PolicyReplayError(
      "REPLAY_NOT_AUTHORIZED",
      `approval of app ${app.appId} by [${signers.join(", ")}] is not ${app.config.threshold} distinct current signers`,
    );
  }
}

function applyReleaseApproved(apps: Apps, event: ReleaseApprovedEvent): Apps {
  const app = writableApp(apps, event.appId);
  const previous = app.releases.get(event.composeHash);
  const nonce = previous?.nonce ?? 0;
  if (previous && previous.nonce > 0 && previous.revokedAt === 0n) {
    throw new PolicyReplayError("REPLAY_RELEASE_ALREADY_APPROVED", `${event.composeHash} is already approved for ${app.appId}`);
  }
  if (event.nonce !== nonce) {
    throw new PolicyReplayError("REPLAY_RELEASE_NONCE_MISMATCH", `approval nonce ${event.nonce}, expected ${nonce}`);
  }
  checkApprovers(app, event.signers);
  const expectedActivation = event.blockTimestamp + effectiveNoticePeriodAt(app.config, event.blockTimestamp);
  if (event.activatesAt !== expectedActivation) {
    throw new PolicyReplayError(
      "REPLAY_ACTIVATION_MISMATCH",
      `${event.composeHash} activates at ${event.activatesAt}, the notice rule gives ${expectedActivation}`,
    );
  }
  const approval: ReleaseApproval = {
    ...momentOf(event),
    nonce: event.nonce,
    metadataDigest: event.metadataDigest,
    activatesAt: event.activatesAt,
    signers: event.signers,
    revocation: null,
  };
  const release: ReleaseState = {
    composeHash: event.composeHash,
    activatesAt: event.activatesAt,
    revokedAt: 0n,
    nonce: nonce + 1,
    approvals: [...(previous?.approvals ?? []), approval],
  };
  return withEntry(apps, app.appId, { ...app, releases: withEntry(app.releases, event.composeHash, release) });
}

function applyReleaseRevoked(apps: Apps, event: ReleaseRevokedEvent): Apps {
  const app = writableApp(apps, event.appId);
  if (!app.config.signers.includes(event.revoker)) {
    throw new PolicyReplayError("REPLAY_NOT_AUTHORIZED", `${event.revoker} is not a signer of ${app.appId}`);
  }
  const release = app.releases.get(event.composeHash);
  const latest = release?.approvals[release.approvals.length - 1];
  if (!release || !latest || latest.revocation) {
    throw new PolicyReplayError("REPLAY_RELEASE_NOT_REVOCABLE", `${event.composeHash} is not approved, or already revoked`);
  }
  if (event.revokedAt !== event.blockTimestamp) {
    throw new PolicyReplayError("REPLAY_TIMESTAMP_MISMATCH", `revokedAt ${event.revokedAt} is not the block time`);
  }
  const revocation = { ...momentOf(event), revoker: event.revoker, revokedAt: event.revokedAt };
  const approvals = [...release.approvals.slice(0, -1), { ...latest, revocation }];
  const revoked: ReleaseState = { ...release, revokedAt: event.revokedAt, approvals };
  return withEntry(apps, app.appId, { ...app, releases: withEntry(app.releases, event.composeHash, revoked) });
}

function applyAppConfigUpdated(apps: Apps, event: AppConfigUpdatedEvent): Apps {
  const app = writableApp(apps, event.appId);
  if (event.configVersion !== app.config.configVersion + 1n) {
    throw new PolicyReplayError(
      "REPLAY_CONFIG_VERSION_MISMATCH",
      `update to version ${event.configVersion} of ${app.appId}, which is at ${app.config.configVersion}`,
    );
  }
  const floor = noticeFloorAfterUpdate(app.config, event.noticePeriod, event.blockTimestamp);
  if (
    floor.previousNoticePeriod !== event.previousNoticePeriod ||
    floor.previousNoticeUntil !== event.previousNoticeUntil
  ) {
    throw new PolicyReplayError(
      "REPLAY_NOTICE_FLOOR_MISMATCH",
      `update of ${app.appId} stores floor (${event.previousNoticePeriod}, ${event.previousNoticeUntil}), ` +
        `the rule gives (${floor.previousNoticePeriod}, ${floor.previousNoticeUntil})`,
    );
  }
  const config = {
    configVersion: event.configVersion,
    signers: event.signers,
    threshold: event.threshold,
    noticePeriod: event.noticePeriod,
    previousNoticePeriod: event.previousNoticePeriod,
    previousNoticeUntil: event.previousNoticeUntil,
    since: momentOf(event),
  };
  return withEntry(apps, app.appId, { ...app, config, configHistory: [...app.configHistory, config] });
}

function applyAppFrozen(apps: Apps, event: AppFrozenEvent): Apps {
  const app = writableApp(apps, event.appId);
  if (event.configVersion !== app.config.configVersion) {
    throw new PolicyReplayError(
      "REPLAY_CONFIG_VERSION_MISMATCH",
      `freeze at version ${event.configVersion} of ${app.appId}, which is at ${app.config.configVersion}`,
    );
  }
  return withEntry(apps, app.appId, { ...app, frozen: true, frozenAt: momentOf(event) });
}
