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
 *
 * `warm(next)` asks, at a new block, the questions that requests asked at the newest block
 * before it (at most `maxWarmQuestions`, the most recently asked), so that the policy block
 * source can switch to `next` once its answers are in and requests do not wait for RPC
 * round trips at every new block. Answers read by `warm` are ordinary memoised answers of
 * `next`, read at `next`; a failure is forgotten like any other.
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
  /** Reads at `next` the questions requests asked at the newest earlier block; never rejects. */
  warm(next: PolicyBlock): Promise<void>;
}

export interface PolicyReaderOptions {
  client: Pick<PublicClient, "readContract">;
  appRegistry: Address;
  platformPolicy: Address;
  /** Blocks whose answers are kept (default 4): the current one and a few before it. */
  keepBlocks?: number;
  /** Most questions `warm` carries to a new block (default 256). */
  maxWarmQuestions?: number;
}

type Read<T> = (block: PolicyBlock) => Promise<T>;

interface BlockAnswers {
  hash: string;
  answers: Map<string, Promise<unknown>>;
  /** The questions requests asked at this block, oldest first, with how to ask them again. */
  asked: Map<string, Read<unknown>>;
}

export function createPolicyReader(options: PolicyReaderOptions): PolicyReader {
  const { client, appRegistry, platformPolicy } = options;
  const keepBlocks = options.keepBlocks ?? 4;
  const maxWarmQuestions = options.maxWarmQuestions ?? 256;
  // Per block number, the hash the answers were read at: a reorg that replaces the block
  // (same number, new hash) starts a fresh set of answers.
  const memo = new Map<number, BlockAnswers>();

  function answersAt(block: PolicyBlock): BlockAnswers {
    let entry = memo.get(block.number);
    if (!entry || entry.hash !== block.hash) {
      entry = { hash: block.hash, answers: new Map(), asked: new Map() };
      memo.set(block.number, entry);
      for (const number of memo.keys()) if (number <= block.number - keepBlocks) memo.delete(number);
    }
    return entry;
  }

  /** The memoised answer to `key` at `block`; `asked` is false only when `warm` asks. */
  function memoised<T>(block: PolicyBlock, key: string, read: Read<T>, asked = true): Promise<T> {
    const { answers, asked: askedAt } = answersAt(block);
    if (asked) {
      askedAt.delete(key);
      askedAt.set(key, read);
    }
    const hit = answers.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const answer = read(block).catch((error: unknown) => {
      answers.delete(key);
      throw policyUnavailable(`cannot read ${key.split(":")[0]} at block ${block.number}`, error);
    });
    answers.set(key, answer);
    return answer;
  }

  const warm = async (next: PolicyBlock): Promise<void> => {
    let previous: BlockAnswers | undefined;
    let previousNumber = -1;
    for (const [number, entry] of memo) {
      if (number < next.number && number > previousNumber) [previous, previousNumber] = [entry, number];
    }
    if (!previous) return;
    const questions = [...previous.asked].slice(-maxWarmQuestions);
    await Promise.allSettled(questions.map(([key, read]) => memoised(next, key, read, false)));
  };

  const policyCall = <T>(block: PolicyBlock, functionName: string, args: readonly unknown[]) =>
    client.readContract({ address: platformPolicy, abi: platformPolicyAbi, functionName, args, blockNumber: BigInt(block.number) } as never) as Promise<T>;
  const registryCall = <T>(block: PolicyBlock, functionName: string, args: readonly unknown[]) =>
    client.readContract({ address: appRegistry, abi: appRegistryAbi, functionName, args, blockNumber: BigInt(block.number) } as never) as Promise<T>;

  const isReleaseAllowed = (block: PolicyBlock, appId: Uint8Array, composeHash: Uint8Array, asked = true) => {
    const args = [toHex0x(appId), toHex0x(composeHash)] as const;
    return memoised(block, `isReleaseAllowed:${args.join(":")}`, (at) => registryCall<boolean>(at, "isReleaseAllowed", args), asked);
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
      return memoised(block, `isPlatformAllowed:${args.join(":")}`, (at) => policyCall<boolean>(at, "isPlatformAllowed", args));
    },
    isPlatformHashAllowed: (block, platformHash) => {
      const hash = toHex0x(platformHash);
      return memoised(block, `isPlatformHashAllowed:${hash}`, (at) => policyCall<boolean>(at, "isPlatformHashAllowed", [hash]));
    },
    isTcbStatusAllowed: (block, bit) =>
      memoised(block, `isTcbStatusAllowed:${bit}`, (at) => policyCall<boolean>(at, "isTcbStatusAllowed", [bit])),
    isReleaseAllowed: (block, appId, composeHash) => isReleaseAllowed(block, appId, composeHash),
    releaseDecision: async (block, appId, composeHash) => {
      const args = [toHex0x(appId), toHex0x(composeHash)] as const;
      return memoised(block, `releaseDecision:${args.join(":")}`, async (at): Promise<ReleaseDecision> => {
        if (await isReleaseAllowed(at, appId, composeHash, false)) return { allowed: true };
        return { allowed: false, reason: await explainRefusal(at, ...args) };
      });
    },
    isKmsMeasurementAllowed: (block, measurement) => {
      const hash = toHex0x(measurement);
      return memoised(block, `isKmsMeasurementAllowed:${hash}`, (at) => policyCall<boolean>(at, "isKmsMeasurementAllowed", [hash]));
    },
    isKmsIdentity: (block, kms) =>
      memoised(block, `isKmsIdentity:${kms.toLowerCase()}`, (at) => policyCall<boolean>(at, "isKmsIdentity", [kms])),
    warm,
  };
}

/** True when `error` is a contract revert with the custom error `name` (not an RPC failure). */
function isRevertNamed(error: unknown, name: string): boolean {
  if (!(error instanceof ViemError)) return false;
  const revert = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError && revert.data?.errorName === name;
}
