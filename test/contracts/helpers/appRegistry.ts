/**
 * Fixtures and signing helpers for the AppRegistry tests. Every signature goes through the
 * typed-data definitions in core/contracts/typedData.ts, the same ones the maintainer CLI uses,
 * so a mismatch with the Solidity typehashes fails the tests.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { TypedDataField } from "ethers";
import {
  appConfigUpdateTypes,
  appFreezeTypes,
  appRegistryDomain,
  releaseTypes,
  type ContractDomain,
} from "../../../core/contracts/typedData";
import type { AppRegistry } from "../../../typechain-types";

type Hex = `0x${string}`;

/** One co-signature as the contract takes it (`IAppRegistry.SignerSignature`). */
export interface SignerSignature {
  signer: string;
  signature: string;
}

export interface ReleaseMessage {
  appId: string;
  composeHash: string;
  metadataDigest: string;
  nonce: bigint | number;
  deadline: bigint | number;
}

export interface AppConfigUpdateMessage {
  appId: string;
  signers: string[];
  threshold: number;
  noticePeriod: bigint | number;
  configVersion: bigint | number;
  deadline: bigint | number;
}

export interface AppFreezeMessage {
  appId: string;
  configVersion: bigint | number;
  deadline: bigint | number;
}

/** Anything that signs typed data: a Hardhat account or a plain ethers wallet. */
export interface TypedDataSigner {
  getAddress(): Promise<string>;
  signTypedData(
    domain: ContractDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** The readonly `as const` type tables, as the mutable records ethers wants. */
export function toEthersTypes(
  types: Readonly<Record<string, readonly { readonly name: string; readonly type: string }[]>>,
): Record<string, TypedDataField[]> {
  return Object.fromEntries(
    Object.entries(types).map(([name, fields]) => [name, fields.map((field) => ({ name: field.name, type: field.type }))]),
  );
}

export const RELEASE_TYPES = toEthersTypes(releaseTypes);
export const APP_CONFIG_UPDATE_TYPES = toEthersTypes(appConfigUpdateTypes);
export const APP_FREEZE_TYPES = toEthersTypes(appFreezeTypes);

export const ONE_DAY = 24 * 60 * 60;

/** The registry's EIP-712 domain on the current chain. */
export async function registryDomain(registry: AppRegistry): Promise<ContractDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return appRegistryDomain(chainId, (await registry.getAddress()) as Hex);
}

export async function signRelease(
  signer: TypedDataSigner,
  domain: ContractDomain,
  message: ReleaseMessage,
): Promise<SignerSignature> {
  const signature = await signer.signTypedData(domain, RELEASE_TYPES, { ...message });
  return { signer: await signer.getAddress(), signature };
}

export async function signAppConfigUpdate(
  signer: TypedDataSigner,
  domain: ContractDomain,
  message: AppConfigUpdateMessage,
): Promise<SignerSignature> {
  const signature = await signer.signTypedData(domain, APP_CONFIG_UPDATE_TYPES, { ...message });
  return { signer: await signer.getAddress(), signature };
}

export async function signAppFreeze(
  signer: TypedDataSigner,
  domain: ContractDomain,
  message: AppFreezeMessage,
): Promise<SignerSignature> {
  const signature = await signer.signTypedData(domain, APP_FREEZE_TYPES, { ...message });
  return { signer: await signer.getAddress(), signature };
}

/** Orders co-signatures by strictly ascending signer address, as the contract requires. */
export function sortBySigner(signatures: SignerSignature[]): SignerSignature[] {
  return [...signatures].sort((a, b) => {
    const left = BigInt(a.signer);
    const right = BigInt(b.signer);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

/** Sorts accounts by ascending address, so tests can pick "lowest" and "highest" signers. */
export function sortAccounts<T extends { address: string }>(accounts: T[]): T[] {
  return [...accounts].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}

/** Signs one release with each signer, returning a sorted bundle. */
export async function releaseBundle(
  signers: TypedDataSigner[],
  domain: ContractDomain,
  message: ReleaseMessage,
): Promise<SignerSignature[]> {
  return sortBySigner(await Promise.all(signers.map((signer) => signRelease(signer, domain, message))));
}

export async function appConfigUpdateBundle(
  signers: TypedDataSigner[],
  domain: ContractDomain,
  message: AppConfigUpdateMessage,
): Promise<SignerSignature[]> {
  return sortBySigner(await Promise.all(signers.map((signer) => signAppConfigUpdate(signer, domain, message))));
}

export async function appFreezeBundle(
  signers: TypedDataSigner[],
  domain: ContractDomain,
  message: AppFreezeMessage,
): Promise<SignerSignature[]> {
  return sortBySigner(await Promise.all(signers.map((signer) => signAppFreeze(signer, domain, message))));
}

/** The app id registerApp derives for the `count`-th app: bytes20(keccak256(abi.encode(chainid, registry, count))). */
export function expectedAppId(chainId: bigint, registry: string, count: bigint): string {
  const encoded = ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "address", "uint256"], [chainId, registry, count]);
  return ethers.dataSlice(ethers.keccak256(encoded), 0, 20);
}

/** Registers an app and returns its id, read from the AppRegistered event. */
export async function registerApp(
  registry: AppRegistry,
  signers: string[],
  threshold: number,
  noticePeriod: number,
): Promise<string> {
  const receipt = await (await registry.registerApp(signers, threshold, noticePeriod)).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = registry.interface.parseLog(log);
    if (parsed?.name === "AppRegistered") return parsed.args.appId as string;
  }
  throw new Error("registerApp emitted no AppRegistered event");
}

/** A compose hash or metadata digest that reads as what it is in test output. */
export function label(text: string): string {
  return ethers.id(text);
}

export interface AppRegistryFixture {
  /** The registry, connected to `relayer`. */
  registry: AppRegistry;
  domain: ContractDomain;
  /** Three release signers, in ascending address order. */
  signers: [HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner];
  /** An account that is no signer of the fixture app. */
  outsider: HardhatEthersSigner;
  /** A relayer that submits bundles; it holds no signing power. */
  relayer: HardhatEthersSigner;
  /** Extra accounts for rotations and wallet owners. */
  spare: HardhatEthersSigner[];
  /** A 2-of-3 app with a one-day notice period. */
  appId: string;
  noticePeriod: number;
}

/** Deploys a registry and registers a 2-of-3 app with a one-day notice period. */
export async function deployAppRegistryFixture(): Promise<AppRegistryFixture> {
  const accounts = await ethers.getSigners();
  const sorted = sortAccounts(accounts.slice(0, 3));
  const [relayer, outsider, ...spare] = accounts.slice(3);
  if (sorted.length !== 3 || !relayer || !outsider) throw new Error("the Hardhat network needs at least 5 accounts");
  const deployed = (await ethers.deployContract("AppRegistry")) as unknown as AppRegistry;
  await deployed.waitForDeployment();
  // Calls go out from the relayer unless a test connects a signer: a sender that is a signer
  // counts as an approval, which would change what a bundle test means.
  const registry = deployed.connect(relayer);
  const domain = await registryDomain(registry);
  const noticePeriod = ONE_DAY;
  const signers = sorted as [HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner];
  const appId = await registerApp(
    registry,
    signers.map((signer) => signer.address),
    2,
    noticePeriod,
  );
  return { registry, domain, signers, outsider, relayer, spare, appId, noticePeriod };
}

/** A deadline one hour after the latest block. */
export async function deadlineSoon(): Promise<bigint> {
  const block = await ethers.provider.getBlock("latest");
  if (!block) throw new Error("no latest block");
  return BigInt(block.timestamp + 3600);
}
