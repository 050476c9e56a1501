import path from "node:path";
import type { Hex } from "viem";
import { secretEqual, toHex, toHex0x } from "../../../core/bytes";
import { generateInstanceId } from "../../../agent/identity";
import { connectKmsChain } from "../../../agent/receipt/kmsChain";
import type { MaintainerWriter } from "../../../scripts/maintainer/client";
import { registerApp } from "../../../scripts/maintainer/registerApp";
import { timeText } from "../../../scripts/maintainer/cliSupport";
import { collectAndSeal, readSealedRecords } from "../../../examples/toy-social-app/socialApp";
import { DEV_ROLES, devAccount } from "../devAccounts";
import { type Narrator, displayPath, shortHex } from "../narrator";
import type { DevStack } from "../startDevStack";
import { auditTheDemo } from "./auditSteps";
import { type DemoBuild, loadDemoBuild } from "./demoBuilds";
import { expectOutcome } from "./demoError";
import type { DemoBuildSummary, DemoResult } from "./demoResult";
import { type DemoMaintainer, revokeDemoRelease, signRelease, submitRelease, writerFor } from "./maintainerSteps";
import { agentLogFor, bootAllowed, bootRefused, checkInterrupted, type DemoContext, kmsPolicyAt } from "./demoSteps";

/**
 * The demo from the Xordi release-process seed, against a running local stack:
 *  1. Alice, Bob and Carol register a data-collection app, 2 of 3, with a one-day notice period;
 *  2. Alice and Bob co-sign the build that reads only `watch_history`; Alice submits;
 *  3. an agent booting it before the notice period ends is refused;
 *  4. the chain's clock moves a day on; the agent boots, gets the disk key, and the app seals
 *     the watch history with it; after a restart the agent gets the same key and the sealed
 *     data opens;
 *  5. a build that reads `direct_messages` was never approved: its agent is refused;
 *  6. Carol revokes the release; once that block is confirmed, the old build is refused too;
 *  7. the audit (the code of `basekms audit log` and `audit report`) shows from the chain and
 *     the log alone that only the approved compose hash ever received the key, and the
 *     indexer behind the web page says the same.
 * Every outcome is checked as it happens; a different one stops the demo with a DemoError.
 */
export const DEMO_NOTICE_PERIOD_SECONDS = 86_400;
export const DEMO_THRESHOLD = 2;

export interface RunDemoOptions {
  narrate: Narrator;
  signal?: AbortSignal;
}

const summary = (build: DemoBuild): DemoBuildSummary => ({ name: build.name, composeFile: build.composeFile, composeHash: build.composeHash, endpoints: build.endpoints });

interface Cast {
  alice: DemoMaintainer;
  bob: DemoMaintainer;
  carol: DemoMaintainer;
  all: DemoMaintainer[];
  writer(maintainer: DemoMaintainer): MaintainerWriter;
}

export async function runDemo(stack: DevStack, options: RunDemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const { narrate, signal } = options;
  const context: DemoContext = {
    stack,
    narrate,
    signal,
    chainView: await connectKmsChain({ rpcUrl: stack.rpcUrl, deployment: stack.deployment }),
    agentLog: agentLogFor(narrate),
  };
  const approved = loadDemoBuild("social-watch-history");
  const unapproved = loadDemoBuild("social-direct-messages");
  const all: DemoMaintainer[] = DEV_ROLES.maintainers.map((role) => ({ name: role.name, account: devAccount(role.index) }));
  const [alice, bob, carol] = all as [DemoMaintainer, DemoMaintainer, DemoMaintainer];
  const cast: Cast = { alice, bob, carol, all, writer: (maintainer) => writerFor(stack.governance, stack.rpcUrl, maintainer) };

  narrate.heading("The demo: a data-collection app's release process, from the Xordi seed");
  const published = await publishRelease(context, cast, approved);
  const instanceId = generateInstanceId();
  const timeline = await bootThroughTheNoticePeriod(context, published, approved, instanceId);
  const keys = await keepTheKeyAcrossARestart(context, published.appId, approved, instanceId);
  checkInterrupted(signal);

  narrate.step(`A build that reads direct_messages (never approved) boots on the same app`);
  narrate.detail(`${displayPath(unapproved.composeFile)}: compose hash ${unapproved.composeHash}`);
  const unapprovedBoot = await bootRefused(context, published.appId, unapproved, generateInstanceId(), "not-approved", "booting a build nobody approved");
  expectOutcome(stack.socialApi.served().direct_messages === 0, "the private direct_messages endpoint served data");
  narrate.check(`without the key the app never starts: direct_messages served ${stack.socialApi.served().direct_messages} times`);
  checkInterrupted(signal);

  const revocation = await revokeAndRefuse(context, cast, published.appId, approved, instanceId);
  const auditView = await auditTheDemo(context, published.appId, { approved, unapproved });
  return {
    appId: published.appId,
    maintainers: all.map((maintainer) => ({ name: maintainer.name, address: maintainer.account.address })),
    threshold: DEMO_THRESHOLD,
    noticePeriodSeconds: DEMO_NOTICE_PERIOD_SECONDS,
    approvedBuild: summary(approved),
    unapprovedBuild: summary(unapproved),
    registration: published.registration,
    release: published.release,
    ...timeline,
    ...keys,
    unapprovedBoot,
    ...revocation,
    ...auditView,
    socialApiServed: stack.socialApi.served(),
    durationMs: Math.round(performance.now() - started),
  };
}

interface PublishedRelease {
  appId: Hex;
  registration: DemoResult["registration"];
  release: DemoResult["release"];
}

/** Steps 1-3: register the app 2 of 3, co-sign the build through signature files, submit. */
async function publishRelease(context: DemoContext, cast: Cast, approved: DemoBuild): Promise<PublishedRelease> {
  const { stack, narrate, signal } = context;
  narrate.step(`Alice, Bob and Carol register the app: ${DEMO_THRESHOLD} of 3 signatures per release, notice period 1 day  (basekms app register)`);
  const registered = await registerApp(cast.writer(cast.alice), {
    signers: cast.all.map((maintainer) => maintainer.account.address),
    threshold: DEMO_THRESHOLD,
    noticePeriod: DEMO_NOTICE_PERIOD_SECONDS,
  });
  const appId = registered.appId;
  narrate.detail(`app id ${appId}  (tx ${shortHex(registered.transactionHash)}, block ${registered.blockNumber})`);
  checkInterrupted(signal);

  narrate.step(`Alice and Bob co-sign the build that reads only watch_history  (basekms release sign)`);
  narrate.detail(`${displayPath(approved.composeFile)}: compose hash ${approved.composeHash}`);
  const signed = [];
  for (const maintainer of [cast.alice, cast.bob]) {
    const out = path.join(stack.layout.signatures, `${maintainer.name.toLowerCase()}.sig.json`);
    const signature = await signRelease(stack.governance, { maintainer, appId, build: approved, out });
    signed.push(signature);
    narrate.detail(`${maintainer.name} signed EIP-712 Release ${shortHex(signature.signingDigest)} → ${displayPath(out)}`);
  }
  narrate.step(`Alice submits both signatures  (basekms release submit)`);
  const approval = await submitRelease(cast.writer(cast.alice), signed.map((entry) => entry.file));
  const activatesAt = Number(approval.activatesAt);
  narrate.detail(`ReleaseApproved in block ${approval.blockNumber}, approvers ${approval.approvers.join(", ")}`);
  if (approval.submitterSignatureDropped) narrate.detail(`(Alice is a signer, so she approves by sending; her own signature file is left out of the bundle)`);
  narrate.detail(`activates at ${timeText(activatesAt)}, one day after its approval: anyone can see it coming`);
  checkInterrupted(signal);
  return {
    appId,
    registration: { transactionHash: registered.transactionHash, blockNumber: Number(registered.blockNumber) },
    release: {
      signatureFiles: signed.map((entry) => entry.file),
      approvers: approval.approvers,
      submitter: cast.alice.account.address,
      transactionHash: approval.transactionHash,
      blockNumber: Number(approval.blockNumber),
      activatesAt,
    },
  };
}

/** Steps 4-5: refused while the notice period runs; then the chain's clock moves past it. */
async function bootThroughTheNoticePeriod(
  context: DemoContext,
  published: PublishedRelease,
  approved: DemoBuild,
  instanceId: Uint8Array,
): Promise<Pick<DemoResult, "beforeNoticePeriod" | "timeAdvanced">> {
  const { stack, narrate, signal } = context;
  await stack.chain.mine(1);
  await kmsPolicyAt(context, BigInt(published.release.blockNumber));
  narrate.step(`An agent boots the approved build before the notice period is over`);
  const beforeNoticePeriod = await bootRefused(context, published.appId, approved, instanceId, "not-yet-active", "booting before activation");
  checkInterrupted(signal);

  const { activatesAt } = published.release;
  const latest = await stack.publicClient.getBlock({ blockTag: "latest" });
  const advance = Math.max(1, activatesAt - Number(latest.timestamp));
  narrate.step(`The local chain's clock moves ${(advance / 3600).toFixed(1)} h forward  (evm_increaseTime, then one block to confirm it)`);
  const moved = await stack.chain.increaseTime(advance);
  expectOutcome(moved.timestamp >= BigInt(activatesAt), `the block after evm_increaseTime (${moved.timestamp}) is still before activation (${activatesAt})`);
  await stack.chain.mine(1);
  const policyBlock = await kmsPolicyAt(context, moved.number);
  narrate.detail(`block ${moved.number} is at ${timeText(moved.timestamp)}; the KMS now reads policy at block ${policyBlock}`);
  return { beforeNoticePeriod, timeAdvanced: { seconds: advance, blockNumber: Number(moved.number), blockTimestamp: Number(moved.timestamp) } };
}

/** Steps 6-7: the key, data sealed with it, and the same key after a restart (keys are zeroed after use). */
async function keepTheKeyAcrossARestart(context: DemoContext, appId: Hex, approved: DemoBuild, instanceId: Uint8Array): Promise<Pick<DemoResult, "firstBoot" | "restart">> {
  const { stack, narrate } = context;
  narrate.step(`The agent boots the approved build with a simulated TDX quote and gets the app's disk key`);
  const first = await bootAllowed(context, appId, approved, instanceId, "the first boot of the approved build");
  let second: Awaited<ReturnType<typeof bootAllowed>> | undefined;
  try {
    narrate.check(`the agent holds the app's 32-byte disk key (never printed), released as leaf ${first.receipt.logIndex} of the KMS's log`);
    const appData = path.join(stack.layout.agents, toHex(instanceId));
    const sealed = await collectAndSeal({ appCompose: JSON.parse(approved.composeText), socialApiUrl: stack.socialApi.url, diskKey: first.diskKey, dataDir: appData });
    for (const entry of sealed) narrate.detail(`the app fetched ${entry.records} ${entry.endpoint} records and sealed them with the disk key → ${displayPath(entry.file)}`);
    checkInterrupted(context.signal);

    narrate.step(`The VM restarts: a fresh boot of the same instance asks the KMS again`);
    second = await bootAllowed(context, appId, approved, instanceId, "the boot after a restart");
    const sameDiskKey = secretEqual(first.diskKey, second.diskKey);
    expectOutcome(sameDiskKey, "the restarted instance got another disk key than its first boot");
    narrate.check(`same disk key as before the restart (compared in constant time; leaf ${second.receipt.logIndex})`);
    const watchHistory = sealed.find((entry) => entry.endpoint === "watch_history");
    expectOutcome(watchHistory !== undefined, "the approved build sealed no watch_history records");
    const reopened = readSealedRecords(second.diskKey, "watch_history", watchHistory.file);
    expectOutcome(reopened.length === watchHistory.records, "the records sealed before the restart did not all open");
    narrate.check(`the ${reopened.length} watch_history records sealed before the restart open with it`);
    return {
      firstBoot: { instanceId: toHex0x(instanceId), kms: first.kms, logIndex: first.receipt.logIndex, treeSize: first.receipt.treeSize, sealed },
      restart: { logIndex: second.receipt.logIndex, sameDiskKey, recordsOpened: reopened.length },
    };
  } finally {
    first.diskKey.fill(0);
    second?.diskKey.fill(0);
  }
}

/** Steps 9-10: one signer revokes; once that block is confirmed, the old build is refused. */
async function revokeAndRefuse(context: DemoContext, cast: Cast, appId: Hex, approved: DemoBuild, instanceId: Uint8Array): Promise<Pick<DemoResult, "revocation" | "afterRevocation">> {
  const { stack, narrate } = context;
  narrate.step(`Carol revokes the release on her own: one signer suffices  (basekms release revoke)`);
  const revoked = await revokeDemoRelease(cast.writer(cast.carol), appId, approved.composeHash);
  await stack.chain.mine(1);
  const kmsPolicyBlock = await kmsPolicyAt(context, revoked.blockNumber);
  narrate.detail(`ReleaseRevoked in block ${revoked.blockNumber}; confirmed, the KMS reads policy at block ${kmsPolicyBlock}`);
  narrate.step(`The approved build boots again after the revocation`);
  const afterRevocation = await bootRefused(context, appId, approved, instanceId, "revoked", "booting a revoked release");
  checkInterrupted(context.signal);
  return {
    revocation: { revoker: cast.carol.account.address, transactionHash: revoked.transactionHash, blockNumber: Number(revoked.blockNumber), kmsPolicyBlock },
    afterRevocation,
  };
}
