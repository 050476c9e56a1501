/**
 * A real Hardhat node on loopback with basekms deployed, and the contract operations the audit
 * and indexer tests drive through viem with Hardhat's dev accounts (funded on the node; their keys
 * sign EIP-712 bundles locally). Every operation waits for its receipt and fails on a revert.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPublicClient, createWalletClient, http, type Hex, type LocalAccount, type PublicClient, type WalletClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { chainFor } from "../../../core/chain/clients";
import { deployBasekms } from "../../../core/chain/deploy";
import { writeDeployment, type Deployment } from "../../../core/chain/deployment";
import { freeLoopbackPort, startHardhatNode, type HardhatNode } from "../../../core/chain/hardhatNode";
import { appRegistryAbi } from "../../../core/contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../../../core/contracts/generated/PlatformPolicy";
import { appConfigUpdateTypes, appFreezeTypes, appRegistryDomain, platformPolicyDomain, releaseTypes } from "../../../core/contracts/typedData";
import { signCheckpoint } from "../../../core/releaseLog";

const MNEMONIC = "test test test test test test test test test test test junk";
const accountCache = new Map<number, LocalAccount>();
/** Hardhat's dev account `index` (funded on the node). */
export function devAccount(index: number): LocalAccount {
  let account = accountCache.get(index);
  if (!account) {
    account = mnemonicToAccount(MNEMONIC, { addressIndex: index });
    accountCache.set(index, account);
  }
  return account;
}

export interface TestChain {
  node: HardhatNode;
  url: string;
  deployment: Deployment;
  deploymentFile: string;
  dir: string;
  client: PublicClient;
  /** Account 0: deployer, governance and relayer. */
  governance: LocalAccount;
  wallet(account: LocalAccount): WalletClient;
  stop(): Promise<void>;
}

export async function startTestChain(): Promise<TestChain> {
  const node = await startHardhatNode({ port: await freeLoopbackPort() });
  const chain = chainFor(31337, node.url);
  const client = createPublicClient({ chain, transport: http(node.url, { retryCount: 0 }), pollingInterval: 50, cacheTime: 0 }) as PublicClient;
  const wallets = new Map<string, WalletClient>();
  const wallet = (account: LocalAccount): WalletClient => {
    let found = wallets.get(account.address);
    if (!found) {
      found = createWalletClient({ account, chain, transport: http(node.url, { retryCount: 0 }) });
      wallets.set(account.address, found);
    }
    return found;
  };
  const governance = devAccount(0);
  const deployment = await deployBasekms({ publicClient: client, walletClient: wallet(governance) as WalletClient & { account: LocalAccount } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-audit-"));
  const deploymentFile = writeDeployment(dir, deployment);
  return {
    node,
    url: node.url,
    deployment,
    deploymentFile,
    dir,
    client,
    governance,
    wallet,
    stop: async () => {
      await node.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function send(chain: TestChain, account: LocalAccount, contract: "AppRegistry" | "PlatformPolicy", functionName: string, args: unknown[]) {
  const abi = contract === "AppRegistry" ? appRegistryAbi : platformPolicyAbi;
  const hash = await chain.wallet(account).writeContract({
    address: chain.deployment.contracts[contract].address as Hex,
    abi,
    functionName,
    args,
    chain: chain.wallet(account).chain,
    account,
  } as never);
  const receipt = await chain.client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  return receipt;
}

async function deadline(chain: TestChain): Promise<bigint> {
  const block = await chain.client.getBlock({ blockTag: "latest" });
  return block.timestamp + 3600n;
}

const byAddress = (accounts: readonly LocalAccount[]) => [...accounts].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));

export async function registerApp(chain: TestChain, signers: readonly LocalAccount[], threshold: number, noticePeriod: number): Promise<Hex> {
  const receipt = await send(chain, chain.governance, "AppRegistry", "registerApp", [signers.map((signer) => signer.address), threshold, BigInt(noticePeriod)]);
  const log = receipt.logs.find((entry) => entry.address.toLowerCase() === chain.deployment.contracts.AppRegistry.address.toLowerCase());
  if (!log?.topics[1]) throw new Error("registerApp emitted no AppRegistered");
  return log.topics[1].slice(0, 42).toLowerCase() as Hex;
}

/** Approves `composeHash` with EIP-712 signatures of `approvers`, submitted by the relayer. */
export async function approveRelease(chain: TestChain, appId: Hex, composeHash: Hex, approvers: readonly LocalAccount[], metadataDigest: Hex = `0x${"ab".repeat(32)}`) {
  const [, , nonce] = (await chain.client.readContract({
    address: chain.deployment.contracts.AppRegistry.address as Hex,
    abi: appRegistryAbi,
    functionName: "getRelease",
    args: [appId, composeHash],
  })) as readonly [bigint, bigint, number];
  const domain = appRegistryDomain(chain.deployment.chainId, chain.deployment.contracts.AppRegistry.address as Hex);
  const message = { appId, composeHash, metadataDigest, nonce, deadline: await deadline(chain) };
  const signatures = [];
  for (const approver of byAddress(approvers)) {
    const signature = await approver.signTypedData({ domain, types: releaseTypes, primaryType: "Release", message });
    signatures.push({ signer: approver.address, signature });
  }
  return send(chain, chain.governance, "AppRegistry", "approveRelease", [appId, composeHash, metadataDigest, message.deadline, signatures]);
}

export async function revokeRelease(chain: TestChain, appId: Hex, composeHash: Hex, signer: LocalAccount) {
  return send(chain, signer, "AppRegistry", "revokeRelease", [appId, composeHash]);
}

export async function updateAppConfig(
  chain: TestChain,
  appId: Hex,
  approvers: readonly LocalAccount[],
  next: { signers: readonly LocalAccount[]; threshold: number; noticePeriod: number },
) {
  const [, , , configVersion] = (await chain.client.readContract({
    address: chain.deployment.contracts.AppRegistry.address as Hex,
    abi: appRegistryAbi,
    functionName: "getApp",
    args: [appId],
  })) as readonly [readonly Hex[], number, bigint, bigint, boolean];
  const domain = appRegistryDomain(chain.deployment.chainId, chain.deployment.contracts.AppRegistry.address as Hex);
  const signers = next.signers.map((signer) => signer.address);
  const message = { appId, signers, threshold: next.threshold, noticePeriod: BigInt(next.noticePeriod), configVersion, deadline: await deadline(chain) };
  const signatures = [];
  for (const approver of byAddress(approvers)) {
    signatures.push({ signer: approver.address, signature: await approver.signTypedData({ domain, types: appConfigUpdateTypes, primaryType: "AppConfigUpdate", message }) });
  }
  return send(chain, chain.governance, "AppRegistry", "updateAppConfig", [appId, signers, next.threshold, message.noticePeriod, message.deadline, signatures]);
}

export async function freezeApp(chain: TestChain, appId: Hex, approvers: readonly LocalAccount[]) {
  const [, , , configVersion] = (await chain.client.readContract({
    address: chain.deployment.contracts.AppRegistry.address as Hex,
    abi: appRegistryAbi,
    functionName: "getApp",
    args: [appId],
  })) as readonly [readonly Hex[], number, bigint, bigint, boolean];
  const domain = appRegistryDomain(chain.deployment.chainId, chain.deployment.contracts.AppRegistry.address as Hex);
  const message = { appId, configVersion, deadline: await deadline(chain) };
  const signatures = [];
  for (const approver of byAddress(approvers)) {
    signatures.push({ signer: approver.address, signature: await approver.signTypedData({ domain, types: appFreezeTypes, primaryType: "AppFreeze", message }) });
  }
  return send(chain, chain.governance, "AppRegistry", "freezeApp", [appId, message.deadline, signatures]);
}

export const setPlatformAllowed = (chain: TestChain, platformHash: Hex, allowed: boolean) =>
  send(chain, chain.governance, "PlatformPolicy", "setPlatformAllowed", [platformHash, allowed]);
export const setAllowedTcbStatuses = (chain: TestChain, mask: number) => send(chain, chain.governance, "PlatformPolicy", "setAllowedTcbStatuses", [mask]);
export const setKmsMeasurementAllowed = (chain: TestChain, measurement: Hex, allowed: boolean) =>
  send(chain, chain.governance, "PlatformPolicy", "setKmsMeasurementAllowed", [measurement, allowed]);
export const registerKmsIdentity = (chain: TestChain, kms: Hex, quoteHash: Hex, measurement: Hex) =>
  send(chain, chain.governance, "PlatformPolicy", "registerKmsIdentity", [kms, quoteHash, measurement]);
/** Offers governance to `pending` (the current governance re-offering to itself keeps the tests' signer). */
export const transferGovernance = (chain: TestChain, pending: Hex) => send(chain, chain.governance, "PlatformPolicy", "transferGovernance", [pending]);
export const acceptGovernance = (chain: TestChain) => send(chain, chain.governance, "PlatformPolicy", "acceptGovernance", []);
export const removeKmsIdentity = (chain: TestChain, kms: Hex) => send(chain, chain.governance, "PlatformPolicy", "removeKmsIdentity", [kms]);

/** The KMS key signs (treeSize, rootHash); the relayer submits it, as an anchorer would. */
export async function anchorCheckpoint(chain: TestChain, kmsKey: LocalAccount, treeSize: number, rootHash: Uint8Array | Hex) {
  const domain = platformPolicyDomain(chain.deployment.chainId, chain.deployment.contracts.PlatformPolicy.address as Hex);
  const signed = await signCheckpoint(kmsKey, domain, treeSize, rootHash);
  return send(chain, chain.governance, "PlatformPolicy", "checkpoint", [BigInt(signed.treeSize), signed.rootHash, signed.signature]);
}

export async function increaseTime(chain: TestChain, seconds: number): Promise<void> {
  await chain.client.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
  await chain.client.request({ method: "evm_mine" as never, params: [] as never });
}

/**
 * Mines empty blocks one `evm_mine` at a time: `hardhat_mine` with a count reserves blocks whose
 * headers report a zero parentHash until they are materialised, which a reorg-aware sync
 * rightly treats as a broken chain.
 */
export async function mineBlocks(chain: TestChain, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) await chain.client.request({ method: "evm_mine" as never, params: [] as never });
}

export const label = (text: string): Hex => `0x${Buffer.from(text.padEnd(32, "-").slice(0, 32)).toString("hex")}` as Hex;
