import { decodeErrorResult, type Abi, type ContractErrorName, type Hex } from "viem";
import { appRegistryAbi } from "./generated/AppRegistry";
import { platformPolicyAbi } from "./generated/PlatformPolicy";
import { TCB_STATUS_BITS } from "./typedData";

/**
 * Turns a contract revert into a sentence a person can act on ("signer 0xab… is not a current
 * release signer of app 0x12…"), never a bare selector. Both contracts' custom errors are known,
 * plus Solidity's `Error(string)` and `Panic(uint256)`. The CLI explains a pre-flight
 * `simulateContract` failure with this before it sends anything.
 */
export interface RevertExplanation {
  /** The Solidity error name (`AppRegistryNotASigner`), `Error`, `Panic`, or `UnknownError`. */
  errorName: string;
  /** The decoded arguments, in ABI order (viem types: bigint for uint64/uint256, hex strings for bytes). */
  args: readonly unknown[];
  /** One sentence, with the values that matter, in words. */
  message: string;
  /** The raw revert data when it was available. */
  data?: Hex;
}

type BasekmsErrorName = ContractErrorName<typeof appRegistryAbi> | ContractErrorName<typeof platformPolicyAbi>;

/** The errors of both contracts, each once (the EIP-712 base contributes the same two to both). */
const BASEKMS_ERRORS_ABI: Abi = (() => {
  const seen = new Set<string>();
  const errors: Abi[number][] = [];
  for (const item of [...appRegistryAbi, ...platformPolicyAbi] as Abi) {
    if (item.type !== "error" || seen.has(item.name)) continue;
    seen.add(item.name);
    errors.push(item);
  }
  return errors;
})();

const arg = (args: readonly unknown[], index: number): string => String(args[index]);

/**
 * One sentence per custom error. The `Record` over the ABIs' error names makes the compiler
 * refuse a contract error that has no sentence.
 */
const SENTENCES: Record<BasekmsErrorName, (args: readonly unknown[]) => string> = {
  AppRegistryAppFrozen: (a) => `app ${arg(a, 0)} is frozen: its releases and configuration can never change again`,
  AppRegistryDeadlineExpired: (a) => `the signed deadline ${formatTime(a[0])} has passed; sign again with a later --deadline`,
  AppRegistryDuplicateSigner: (a) =>
    `${arg(a, 0)} is named twice: in the signer list or the signature bundle, or as the sender and in the bundle ` +
    `(a signer that submits approves by sending, so its own signature must be left out)`,
  AppRegistryInsufficientSignatures: (a) =>
    `only ${arg(a, 0)} approval(s) counted but the app needs ${arg(a, 1)} ` +
    `(the signatures, plus one when the sender is a current signer)`,
  AppRegistryInvalidSignature: (a) =>
    `the signature of ${arg(a, 0)} does not verify: it was made over another message ` +
    `(app, compose hash or config version, metadata digest, nonce, deadline, chain id or registry address differ) or by another key`,
  AppRegistryInvalidSignerCount: (a) => `an app needs 1 to 32 signers, got ${arg(a, 0)}`,
  AppRegistryInvalidThreshold: (a) => `threshold ${arg(a, 0)} is invalid for ${arg(a, 1)} signer(s): it must be between 1 and ${arg(a, 1)}`,
  AppRegistryNotASigner: (a) => `signer ${arg(a, 1)} is not a current release signer of app ${arg(a, 0)}`,
  AppRegistryNoticePeriodTooLong: (a) => `notice period ${formatDuration(a[0])} is longer than the maximum ${formatDuration(a[1])}`,
  AppRegistryReleaseAlreadyApproved: (a) =>
    `compose hash ${arg(a, 1)} is already approved for app ${arg(a, 0)} (pending or active); revoke it before approving it again`,
  AppRegistryReleaseAlreadyRevoked: (a) => `the release of compose hash ${arg(a, 1)} for app ${arg(a, 0)} is already revoked`,
  AppRegistryReleaseNotApproved: (a) => `compose hash ${arg(a, 1)} was never approved for app ${arg(a, 0)}`,
  AppRegistrySignersNotSorted: () => "the signatures are not sorted by strictly ascending signer address",
  AppRegistryUnknownApp: (a) => `no app ${arg(a, 0)} is registered in this AppRegistry (check the app id and the deployment file)`,
  AppRegistryZeroAddressSigner: () => "the signer list contains the zero address",
  InvalidShortString: () => "the contract's EIP-712 name or version is malformed (a deployment error)",
  StringTooLong: () => "the contract's EIP-712 name or version is too long (a deployment error)",
  LogAnchorCheckpointExists: (a) => `KMS ${arg(a, 0)} already anchored this root at tree size ${arg(a, 1)}`,
  LogAnchorEmptyTree: () => "a checkpoint needs a tree size of at least 1",
  LogAnchorInvalidSignature: () => "the checkpoint signature is malformed (it must be 65 bytes, low s, v 27 or 28)",
  LogAnchorTreeSizeNotGrowing: (a) =>
    `KMS ${arg(a, 0)} already anchored tree size ${arg(a, 2)}; a checkpoint at size ${arg(a, 1)} does not grow its log`,
  LogAnchorUnknownKms: (a) =>
    `checkpoint signer ${arg(a, 0)} is not an active KMS identity (or the signature was made for another chain, contract or root)`,
  LogAnchorZeroRoot: () => "the checkpoint root hash is zero",
  PlatformPolicyInvalidGovernance: (a) => `governance must not be the zero address, got ${arg(a, 0)}`,
  PlatformPolicyInvalidKmsIdentity: (a) => `a KMS identity must be a non-zero address, got ${arg(a, 0)}`,
  PlatformPolicyInvalidTcbStatusMask: (a) => `TCB status mask 0x${Number(a[0]).toString(16)} sets a bit above ${MAX_TCB_BIT} (${MAX_TCB_NAME})`,
  PlatformPolicyKmsIdentityAlreadyActive: (a) => `${arg(a, 0)} is already an active KMS identity`,
  PlatformPolicyKmsIdentityNotActive: (a) => `${arg(a, 0)} is not an active KMS identity`,
  PlatformPolicyKmsMeasurementNotAllowed: (a) =>
    `KMS measurement ${arg(a, 0)} is not allowed; allow it first (platform allow --kms-measurement)`,
  PlatformPolicyUnauthorized: (a) =>
    `${arg(a, 0)} is not the PlatformPolicy governance (nor, for acceptGovernance, the pending governance)`,
};

const MAX_TCB_BIT = Math.max(...Object.values(TCB_STATUS_BITS));
const MAX_TCB_NAME = Object.keys(TCB_STATUS_BITS).find((name) => TCB_STATUS_BITS[name as keyof typeof TCB_STATUS_BITS] === MAX_TCB_BIT);

const PANIC_MEANINGS: Record<number, string> = {
  0x01: "an assertion failed",
  0x11: "an arithmetic overflow or underflow",
  0x12: "a division by zero",
  0x21: "an invalid enum value",
  0x22: "a corrupt storage byte array",
  0x31: "pop() on an empty array",
  0x32: "an out-of-bounds array index",
  0x41: "too much memory allocated",
  0x51: "a call to an uninitialized internal function",
};

/** The sentence for a decoded custom error of either contract (or `Error` / `Panic`). */
export function describeContractError(errorName: string, args: readonly unknown[] = []): string {
  if (errorName === "Error") return `the contract reverted with the message ${JSON.stringify(String(args[0]))}`;
  if (errorName === "Panic") {
    const code = Number(args[0]);
    return `the contract panicked with code 0x${code.toString(16)} (${PANIC_MEANINGS[code] ?? "an unknown panic"})`;
  }
  const sentence = (SENTENCES as Record<string, ((args: readonly unknown[]) => string) | undefined>)[errorName];
  if (sentence) return sentence(args);
  return `the contract reverted with ${errorName}, which basekms has no explanation for`;
}

/** Decodes raw revert data (selector and arguments) against both basekms ABIs. */
export function explainRevertData(data: Hex): RevertExplanation {
  if (data === "0x" || data.length < 10) {
    return { errorName: "UnknownError", args: [], data, message: REVERT_WITHOUT_DATA };
  }
  try {
    const decoded = decodeErrorResult({ abi: BASEKMS_ERRORS_ABI, data });
    const args = (decoded.args ?? []) as readonly unknown[];
    return { errorName: decoded.errorName, args, data, message: describeContractError(decoded.errorName, args) };
  } catch {
    const selector = data.slice(0, 10);
    return {
      errorName: "UnknownError",
      args: [],
      data,
      message:
        `the contract reverted with error selector ${selector}, which is in neither the AppRegistry nor the PlatformPolicy ABI ` +
        `(is the deployment file for this chain?)`,
    };
  }
}

const REVERT_WITHOUT_DATA = "the call reverted without a reason (is there a basekms contract at this address?)";

/**
 * Finds the revert in a viem error (simulateContract, estimateGas, writeContract, readContract)
 * and explains it. Returns undefined when the error is not a contract revert (a network error,
 * a bad argument), so the caller can report that as it is.
 */
export function explainRevert(error: unknown): RevertExplanation | undefined {
  let sawRevert = false;
  for (let current: unknown = error, depth = 0; current && depth < 16; depth++) {
    const candidate = current as { name?: unknown; data?: unknown; raw?: unknown; cause?: unknown };
    if (candidate.name === "ContractFunctionRevertedError") {
      sawRevert = true;
      if (isHex(candidate.raw)) return explainRevertData(candidate.raw);
      const decoded = candidate.data as { errorName?: unknown; args?: unknown } | undefined;
      if (decoded && typeof decoded.errorName === "string") {
        const args = Array.isArray(decoded.args) ? (decoded.args as unknown[]) : [];
        return { errorName: decoded.errorName, args, message: describeContractError(decoded.errorName, args) };
      }
    }
    const data = candidate.data;
    if (isHex(data) && data.length >= 10) return explainRevertData(data);
    if (data && typeof data === "object" && isHex((data as { data?: unknown }).data)) {
      return explainRevertData((data as { data: Hex }).data);
    }
    if (candidate.name === "CallExecutionError" || candidate.name === "ContractFunctionExecutionError") sawRevert ||= isRevertMessage(current);
    current = candidate.cause;
  }
  return sawRevert ? { errorName: "UnknownError", args: [], message: REVERT_WITHOUT_DATA } : undefined;
}

function isHex(value: unknown): value is Hex {
  return typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value);
}

function isRevertMessage(error: unknown): boolean {
  return error instanceof Error && /revert/i.test(error.message);
}

function formatTime(value: unknown): string {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds > 8.64e12) return String(value);
  return `${new Date(seconds * 1000).toISOString()} (unix ${String(value)})`;
}

/** Seconds as the largest whole unit that divides them (7d, 36h, 90s). */
export function formatDuration(value: unknown): string {
  const seconds = Number(value);
  if (!Number.isSafeInteger(seconds)) return `${String(value)}s`;
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
