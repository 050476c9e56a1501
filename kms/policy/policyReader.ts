import { type Address, BaseError as ViemError, ContractFunctionRevertedError, type Hex, type PublicClient } from "viem";
import { toHex0x } from "../../core/bytes";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { type ComposeRefusalReason, policyUnavailable } from "../errors";
import type { PolicyBlock } from "./policyBlock";

/**
 * Reads the on-chain policy at a given policy block. Answers are memoised per
 * (block number, question): at a thousand requests a second the KMS asks the RPC each
 * question once per block, not once per request. Only successes are memoised; any RPC
 * failure is `POLICY_UNAVAILABLE` (fail closed), and the next call asks again.
 */
export type ReleaseDecision = { allowed: true } | { allowed: false; reason: ComposeRefusalReason };

export interface PolicyReader {
  isPlatformAllowed(block: PolicyBlock, platformHash: Uint8Array, tcbStatusBit: number): Promise<boolean>;
  isPlatformHashAllowed(block: PolicyBlock, platformHash: Uint8Array): Promise<boolean>;
  isTcbStatusAllowed(block: PolicyBlock, tcbStatusBit: number): Promise<boolean>;
  isReleaseAllowed(block: PolicyBlock, appId: Uint8Array, composeHash: Uint8Array): Promise<boolean>;
  /** `isReleaseAllowed`, explained with `getRelease` / `getApp` when it is false. */
  releaseDecision(block: PolicyBlock, appId: Uint8Array, composeHash: Uint8Array): Promise<ReleaseDecision>;
  isKmsMeasurementAllowed(block: PolicyBlock, measurement: Uint8Array): Promise<boolean>;
  isKmsIdentity(block: PolicyBlock, kms: Address): Promise<boolean>;
}

export interface PolicyReaderOptions {
  client: Pick<PublicClient, "readContract">;
  appRegistry: Address;
  platformPolicy: Address;
  /** Blocks whose answers are kept (default 4): the current one and a few before it. */
  keepBlocks?: number;
}

export function createPolicyReader(options: PolicyReaderOptions): PolicyReader {
  const { client, appRegistry, platformPolicy } = options;
  const keepBlocks = options.keepBlocks ?? 4;
  // Per block number, the hash the answers were read at: a reorg that replaces the block
  // (same number, new hash) starts a fresh set of answers.
  const memo = new Map<number, { hash: string; answers: Map<string, Promise<unknown>> }>();

  function memoised<T>(block: PolicyBlock, key: string, read: () => Promise<T>): Promise<T> {
    let entry = memo.get(block.number);
    if (!entry || entry.hash !== block.hash) {
      entry = { hash: block.hash, answers: new Map() };
      memo.set(block.number, entry);
      for (const number of memo.keys()) if (number <= block.number - keepBlocks) memo.delete(number);
    }
    const answers = entry.answers;
    const hit = answers.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const answer = read().catch((error: unknown) => {
      answers.delete(key);
      throw policyUnavailable(`cannot read ${key.split(":")[0]} at block ${block.number}`, error);
    });
    answers.set(key, answer);
    return answer;
  }

  const policyCall = <T>(block: PolicyBlock, functionName: string, args: readonly unknown[]) =>
    client.readContract({ address: platformPolicy, abi: platformPolicyAbi, functionName, args, blockNumber: BigInt(block.number) } as never) as Promise<T>;
  const registryCall = <T>(block: PolicyBlock, functionName: string, args: readonly unknown[]) =>
    client.readContract({ address: appRegistry, abi: appRegistryAbi, functionName, args, blockNumber: BigInt(block.number) } as never) as Promise<T>;

  const isReleaseAllowed = (block: PolicyBlock, appId: Uint8Array, composeHash: Uint8Array) => {
    const args = [toHex0x(appId), toHex0x(composeHash)] as const;
    return memoised(block, `isReleaseAllowed:${args.join(":")}`, () => registryCall<boolean>(block, "isReleaseAllowed", args));
  };

  const explainRefusal = async (block: PolicyBlock, appId: Hex, composeHash: Hex): Promise<ComposeRefusalReason> => {
    const [, revokedAt, nonce] = await registryCall<readonly [bigint, bigint, number]>(block, "getRelease", [appId, composeHash]);
    if (revokedAt !== 0n) return "revoked";
    if (nonce !== 0) return "not-yet-active";
    try {
      await registryCall(block, "getApp", [appId]);
      return "not-approved";
    } catch (error) {
      if (isRevertNamed(error, "AppRegistryUnknownApp")) return "unknown-app";
      throw error;
    }
  };

  return {
    isPlatformAllowed: (block, platformHash, bit) => {
      const args = [toHex0x(platformHash), bit] as const;
      return memoised(block, `isPlatformAllowed:${args.join(":")}`, () => policyCall<boolean>(block, "isPlatformAllowed", args));
    },
    isPlatformHashAllowed: (block, platformHash) => {
      const hash = toHex0x(platformHash);
      return memoised(block, `isPlatformHashAllowed:${hash}`, () => policyCall<boolean>(block, "isPlatformHashAllowed", [hash]));
    },
    isTcbStatusAllowed: (block, bit) =>
      memoised(block, `isTcbStatusAllowed:${bit}`, () => policyCall<boolean>(block, "isTcbStatusAllowed", [bit])),
    isReleaseAllowed,
    releaseDecision: async (block, appId, composeHash) => {
      const args = [toHex0x(appId), toHex0x(composeHash)] as const;
      return memoised(block, `releaseDecision:${args.join(":")}`, async (): Promise<ReleaseDecision> => {
        if (await isReleaseAllowed(block, appId, composeHash)) return { allowed: true };
        return { allowed: false, reason: await explainRefusal(block, ...args) };
      });
    },
    isKmsMeasurementAllowed: (block, measurement) => {
      const hash = toHex0x(measurement);
      return memoised(block, `isKmsMeasurementAllowed:${hash}`, () => policyCall<boolean>(block, "isKmsMeasurementAllowed", [hash]));
    },
    isKmsIdentity: (block, kms) =>
      memoised(block, `isKmsIdentity:${kms.toLowerCase()}`, () => policyCall<boolean>(block, "isKmsIdentity", [kms])),
  };
}

/** True when `error` is a contract revert with the custom error `name` (not an RPC failure). */
function isRevertNamed(error: unknown, name: string): boolean {
  if (!(error instanceof ViemError)) return false;
  const revert = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError && revert.data?.errorName === name;
}
