/**
 * A randomized but seeded run of operations on AppRegistry and PlatformPolicy, for the replay test.
 * It picks only operations the contracts should accept (reading their views to choose), so any
 * revert is a failure. Next to the chain it keeps a journal of what it submitted (creators,
 * configurations, approvers, metadata digests, revokers, conflicts): the facts no view returns,
 * which the replayed history must reproduce.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AppRegistry, MockERC1271Wallet, PlatformPolicy } from "../../../typechain-types";
import type { ContractDomain } from "../../../core/contracts/typedData";
import type { Random } from "./prng";
import {
  registerApp,
  registryDomain,
  signAppConfigUpdate,
  signAppFreeze,
  signRelease,
  sortBySigner,
  type SignerSignature,
  type TypedDataSigner,
} from "./appRegistry";
import { checkpointDomain, signCheckpoint } from "./platformPolicy";
import { deployWallet } from "./releases";
import { journalKey, type ScenarioJournal } from "./replayJournal";

type Approver =
  | { kind: "eoa"; address: string; signer: HardhatEthersSigner }
  | { kind: "wallet"; address: string; wallet: MockERC1271Wallet; owner: HardhatEthersSigner };

export interface ScenarioWorld {
  registry: AppRegistry;
  policy: PlatformPolicy;
  registryDomain: ContractDomain;
  policyDomain: Awaited<ReturnType<typeof checkpointDomain>>;
  random: Random;
  /** Release signers: eight EOAs and two contract wallets. */
  signerPool: Approver[];
  /** Every EOA the run may send from. */
  senders: HardhatEthersSigner[];
  governanceCandidates: HardhatEthersSigner[];
  kmsKeys: InstanceType<typeof ethers.Wallet>[];
  composeHashes: string[];
  platformHashes: string[];
  measurements: string[];
  journal: ScenarioJournal;
}

const NOTICE_CHOICES = [0, 1, 60, 3600, 86_400, 3 * 86_400];
const lower = (address: string) => address.toLowerCase();

export async function setUpScenario(random: Random): Promise<ScenarioWorld> {
  const accounts = await ethers.getSigners();
  if (accounts.length < 14) throw new Error("the replay scenario needs 14 accounts");
  const registry = (await ethers.deployContract("AppRegistry")) as unknown as AppRegistry;
  const policy = (await ethers.deployContract("PlatformPolicy", [accounts[0]!.address])) as unknown as PlatformPolicy;
  const wallets: Approver[] = [];
  for (const owner of [accounts[9]!, accounts[10]!]) {
    const wallet = await deployWallet(owner.address, false);
    wallets.push({ kind: "wallet", address: await wallet.getAddress(), wallet, owner });
  }
  const eoas: Approver[] = accounts.slice(1, 9).map((signer) => ({ kind: "eoa", address: signer.address, signer }));
  const label = (text: string) => ethers.id(`${text} (seed ${random.seed})`);
  return {
    registry,
    policy,
    registryDomain: await registryDomain(registry),
    policyDomain: await checkpointDomain(policy),
    random,
    signerPool: [...eoas, ...wallets],
    senders: accounts.slice(0, 14),
    governanceCandidates: [accounts[0]!, accounts[11]!, accounts[12]!, accounts[13]!],
    kmsKeys: [0, 1, 2].map((index) => new ethers.Wallet(label(`kms key ${index}`))),
    composeHashes: [0, 1, 2, 3, 4, 5].map((index) => label(`compose ${index}`)),
    platformHashes: [0, 1, 2, 3, 4].map((index) => label(`platform ${index}`)),
    measurements: [0, 1, 2].map((index) => label(`kms measurement ${index}`)),
    journal: { apps: new Map(), approvals: new Map(), conflicts: [], checkpoints: new Map() },
  };
}

async function deadline(): Promise<bigint> {
  return BigInt(await time.latest()) + 3600n;
}

/** Sends `method(args)` to the registry as `sender`: an EOA directly, a wallet through `execute`. */
async function sendToRegistry(world: ScenarioWorld, sender: Approver, method: string, args: unknown[]): Promise<void> {
  if (sender.kind === "eoa") {
    const contract = world.registry.connect(sender.signer) as unknown as Record<string, (...a: unknown[]) => Promise<{ wait(): Promise<unknown> }>>;
    await (await contract[method]!(...args)).wait();
    return;
  }
  const data = world.registry.interface.encodeFunctionData(method as never, args as never);
  await (await sender.wallet.connect(sender.owner).execute(await world.registry.getAddress(), data)).wait();
}

/**
 * Submits a k-signed action with a random set of at least k current signers. Sometimes one of them
 * sends it (and signs nothing); otherwise a random account relays, which counts too when it happens
 * to be a signer. Returns the approvers the event must list (ascending, lowercase).
 */
async function submitApproved(
  world: ScenarioWorld,
  currentSigners: string[],
  threshold: number,
  method: string,
  argsBefore: unknown[],
  sign: (signer: TypedDataSigner) => Promise<SignerSignature>,
): Promise<string[]> {
  const { random } = world;
  const current = world.signerPool.filter((approver) => currentSigners.includes(approver.address));
  let approvers = random.sample(current, threshold + random.int(current.length - threshold + 1));
  let sender: Approver;
  if (random.chance(0.5)) {
    sender = approvers[0]!;
  } else {
    const relayer = random.pick(world.senders);
    sender = { kind: "eoa", address: relayer.address, signer: relayer };
  }
  const senderIsSigner = currentSigners.includes(sender.address);
  approvers = approvers.filter((approver) => approver.address !== sender.address);
  const bundle = sortBySigner(
    await Promise.all(
      approvers.map(async (approver) => ({
        signer: approver.address,
        signature: (await sign(approver.kind === "eoa" ? approver.signer : approver.owner)).signature,
      })),
    ),
  );
  await sendToRegistry(world, sender, method, [...argsBefore, bundle]);
  const listed = [...bundle.map((entry) => entry.signer), ...(senderIsSigner ? [sender.address] : [])];
  return listed.map(lower).sort();
}

async function writableApps(world: ScenarioWorld) {
  const apps = [];
  for (const appId of world.journal.apps.keys()) {
    const app = await world.registry.getApp(appId);
    if (!app.frozen) apps.push({ appId, signers: [...app.signers], threshold: Number(app.threshold), version: app.configVersion });
  }
  return apps;
}

export async function registerRandomApp(world: ScenarioWorld): Promise<boolean> {
  const { random } = world;
  const signers = random.sample(world.signerPool, 1 + random.int(4)).map((approver) => approver.address);
  const threshold = 1 + random.int(signers.length);
  const noticePeriod = random.pick(NOTICE_CHOICES);
  const creator = random.pick(world.senders);
  const appId = lower(await registerApp(world.registry.connect(creator), signers, threshold, noticePeriod));
  world.journal.apps.set(appId, { creator: lower(creator.address), configs: [{ signers: signers.map(lower), threshold, noticePeriod: BigInt(noticePeriod) }] });
  return true;
}

export async function approveRandomRelease(world: ScenarioWorld): Promise<boolean> {
  const { random, registry } = world;
  const apps = await writableApps(world);
  if (apps.length === 0) return false;
  const app = random.pick(apps);
  const composeHash = random.pick(world.composeHashes);
  const [, revokedAt, nonce] = await registry.getRelease(app.appId, composeHash);
  if (nonce !== 0n && revokedAt === 0n) return false;
  const message = { appId: app.appId, composeHash, metadataDigest: random.bytes32(), nonce, deadline: await deadline() };
  const args = [app.appId, composeHash, message.metadataDigest, message.deadline];
  const approvers = await submitApproved(world, app.signers, app.threshold, "approveRelease", args, (signer) =>
    signRelease(signer, world.registryDomain, message),
  );
  const key = journalKey(app.appId, composeHash);
  world.journal.approvals.set(key, [...(world.journal.approvals.get(key) ?? []), { metadataDigest: message.metadataDigest, approvers, revoker: null }]);
  return true;
}

export async function revokeRandomRelease(world: ScenarioWorld): Promise<boolean> {
  const { random } = world;
  const candidates = [];
  for (const app of await writableApps(world)) {
    for (const composeHash of world.composeHashes) {
      const history = world.journal.approvals.get(journalKey(app.appId, composeHash));
      if (history && history[history.length - 1]!.revoker === null) candidates.push({ app, composeHash, history });
    }
  }
  if (candidates.length === 0) return false;
  const { app, composeHash, history } = random.pick(candidates);
  const revoker = random.pick(world.signerPool.filter((approver) => app.signers.includes(approver.address)));
  await sendToRegistry(world, revoker, "revokeRelease", [app.appId, composeHash]);
  history[history.length - 1]!.revoker = lower(revoker.address);
  return true;
}

export async function updateRandomConfig(world: ScenarioWorld): Promise<boolean> {
  const { random } = world;
  const apps = await writableApps(world);
  if (apps.length === 0) return false;
  const app = random.pick(apps);
  const signers = random.sample(world.signerPool, 1 + random.int(4)).map((approver) => approver.address);
  const threshold = 1 + random.int(signers.length);
  const noticePeriod = random.pick(NOTICE_CHOICES);
  const message = { appId: app.appId, signers, threshold, noticePeriod, configVersion: app.version, deadline: await deadline() };
  const args = [app.appId, signers, threshold, noticePeriod, message.deadline];
  await submitApproved(world, app.signers, app.threshold, "updateAppConfig", args, (signer) =>
    signAppConfigUpdate(signer, world.registryDomain, message),
  );
  world.journal.apps.get(app.appId)!.configs.push({ signers: signers.map(lower), threshold, noticePeriod: BigInt(noticePeriod) });
  return true;
}

export async function freezeRandomApp(world: ScenarioWorld): Promise<boolean> {
  const apps = await writableApps(world);
  if (apps.length < 3) return false; // keep most apps writable
  const app = world.random.pick(apps);
  const message = { appId: app.appId, configVersion: app.version, deadline: await deadline() };
  await submitApproved(world, app.signers, app.threshold, "freezeApp", [app.appId, message.deadline], (signer) =>
    signAppFreeze(signer, world.registryDomain, message),
  );
  return true;
}

export async function jumpToPendingActivation(world: ScenarioWorld): Promise<boolean> {
  const now = BigInt(await time.latest());
  const pending = [];
  for (const key of world.journal.approvals.keys()) {
    const [appId, composeHash] = key.split("/") as [string, string];
    const [activatesAt] = await world.registry.getRelease(appId, composeHash);
    if (activatesAt > now + 1n) pending.push(activatesAt);
  }
  if (pending.length === 0) return false;
  // Land one second early or exactly on time: both sides of the boundary get a block.
  await time.increaseTo(world.random.pick(pending) - BigInt(world.random.int(2)));
  return true;
}
