/**
 * Raw logs (viem's `Log` shape, from `eth_getLogs`) → typed policy events. The ABIs are the
 * generated ones in core/contracts/generated/, so decoding always matches the deployed bytecode.
 * This is where hex is normalised to lowercase; nothing downstream lowercases again.
 */
import type { DecodeEventLogReturnType, Hex as ViemHex } from "viem";
import { appRegistryAbi } from "../contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../contracts/generated/PlatformPolicy";
import { PolicyReplayError } from "./errors";
import { compileEventDecoders } from "./eventDecoder";
import { compareEventPositions, type EventPosition, type Hex, type PolicyEvent } from "./events";

/** The two contracts whose logs are replayed. */
export interface PolicyContracts {
  readonly appRegistry: string;
  readonly platformPolicy: string;
}

/** The fields of a viem `Log` that decoding needs; a viem `Log` is one. */
export interface PolicyLog {
  readonly address: string;
  readonly topics: readonly ViemHex[];
  readonly data: ViemHex;
  readonly blockNumber: bigint | null;
  readonly logIndex: number | null;
  readonly transactionHash: ViemHex | null;
  readonly removed?: boolean;
  /** Some RPCs return it with the log; otherwise pass `blockTimestamps`. */
  readonly blockTimestamp?: bigint | null;
}

export interface DecodePolicyLogsOptions {
  readonly contracts: PolicyContracts;
  /** Block number → timestamp, for logs that carry no `blockTimestamp`. */
  readonly blockTimestamps?: ReadonlyMap<bigint, bigint>;
}

function lower(hex: string): Hex {
  return hex.toLowerCase() as Hex;
}

function positionOf(log: PolicyLog, options: DecodePolicyLogsOptions): EventPosition {
  const { blockNumber, logIndex, transactionHash } = log;
  if (log.removed || blockNumber === null || logIndex === null || transactionHash === null) {
    throw new PolicyReplayError("REPLAY_LOG_INCOMPLETE", "a log is pending or was removed by a reorg");
  }
  const blockTimestamp = log.blockTimestamp ?? options.blockTimestamps?.get(blockNumber);
  if (blockTimestamp === undefined || blockTimestamp === null) {
    throw new PolicyReplayError("REPLAY_LOG_INCOMPLETE", `no timestamp for block ${blockNumber}`);
  }
  return { address: lower(log.address), blockNumber, blockTimestamp, logIndex, transactionHash: lower(transactionHash) };
}

/** topic0 → compiled decoder (core/policy/eventDecoder.ts), per contract. */
const APP_REGISTRY_EVENTS = compileEventDecoders(appRegistryAbi);
const PLATFORM_POLICY_EVENTS = compileEventDecoders(platformPolicyAbi);

/** The log decoded with `abi`'s events, typed as viem would type it. */
function decodeWith<const Abi extends typeof appRegistryAbi | typeof platformPolicyAbi>(abi: Abi, log: PolicyLog): DecodeEventLogReturnType<Abi> {
  const decoders = abi === appRegistryAbi ? APP_REGISTRY_EVENTS : PLATFORM_POLICY_EVENTS;
  const decoder = decoders.get(log.topics[0]?.toLowerCase() ?? "");
  if (!decoder) throw new PolicyReplayError("REPLAY_LOG_UNDECODABLE", `log of ${log.address} is not a policy event (unknown topic0)`);
  try {
    return decoder(log.topics, log.data) as unknown as DecodeEventLogReturnType<Abi>;
  } catch (cause) {
    throw new PolicyReplayError("REPLAY_LOG_UNDECODABLE", `log of ${log.address} is not a policy event`, { cause });
  }
}

function decodeAppRegistryLog(log: PolicyLog, at: EventPosition): PolicyEvent {
  const decoded = decodeWith(appRegistryAbi, log);
  switch (decoded.eventName) {
    case "AppRegistered": {
      const { appId, creator, signers, threshold, noticePeriod } = decoded.args;
      return { kind: "AppRegistered", ...at, appId: lower(appId), creator: lower(creator), signers: signers.map(lower), threshold, noticePeriod };
    }
    case "ReleaseApproved": {
      const { appId, composeHash, metadataDigest, activatesAt, nonce, signers } = decoded.args;
      return {
        kind: "ReleaseApproved",
        ...at,
        appId: lower(appId),
        composeHash: lower(composeHash),
        metadataDigest: lower(metadataDigest),
        activatesAt,
        nonce,
        signers: signers.map(lower),
      };
    }
    case "ReleaseRevoked": {
      const { appId, composeHash, revoker, revokedAt } = decoded.args;
      return { kind: "ReleaseRevoked", ...at, appId: lower(appId), composeHash: lower(composeHash), revoker: lower(revoker), revokedAt };
    }
    case "AppConfigUpdated": {
      const { appId, configVersion, signers, threshold, noticePeriod, previousNoticePeriod, previousNoticeUntil } = decoded.args;
      return {
        kind: "AppConfigUpdated",
        ...at,
        appId: lower(appId),
        configVersion,
        signers: signers.map(lower),
        threshold,
        noticePeriod,
        previousNoticePeriod,
        previousNoticeUntil,
      };
    }
    case "AppFrozen":
      return { kind: "AppFrozen", ...at, appId: lower(decoded.args.appId), configVersion: decoded.args.configVersion };
    default:
      throw new PolicyReplayError("REPLAY_LOG_UNDECODABLE", `${decoded.eventName} is not a policy event`);
  }
}

function decodePlatformPolicyLog(log: PolicyLog, at: EventPosition): PolicyEvent {
  const decoded = decodeWith(platformPolicyAbi, log);
  switch (decoded.eventName) {
    case "GovernanceTransferStarted": {
      const { previousGovernance, pendingGovernance } = decoded.args;
      return { kind: decoded.eventName, ...at, previousGovernance: lower(previousGovernance), pendingGovernance: lower(pendingGovernance) };
    }
    case "GovernanceTransferred": {
      const { previousGovernance, newGovernance } = decoded.args;
      return { kind: decoded.eventName, ...at, previousGovernance: lower(previousGovernance), newGovernance: lower(newGovernance) };
    }
    case "PlatformAllowanceChanged":
      return { kind: decoded.eventName, ...at, platformHash: lower(decoded.args.platformHash), allowed: decoded.args.allowed };
    case "AllowedTcbStatusesChanged":
      return { kind: decoded.eventName, ...at, mask: decoded.args.mask };
    case "KmsMeasurementAllowanceChanged":
      return { kind: decoded.eventName, ...at, measurement: lower(decoded.args.measurement), allowed: decoded.args.allowed };
    case "KmsIdentityRegistered": {
      const { kms, quoteHash, measurement } = decoded.args;
      return { kind: decoded.eventName, ...at, kms: lower(kms), quoteHash: lower(quoteHash), measurement: lower(measurement) };
    }
    case "KmsIdentityRemoved":
      return { kind: decoded.eventName, ...at, kms: lower(decoded.args.kms) };
    case "CheckpointRecorded": {
      const { kms, treeSize, rootHash } = decoded.args;
      return { kind: decoded.eventName, ...at, kms: lower(kms), treeSize, rootHash: lower(rootHash) };
    }
    case "CheckpointConflicted": {
      const { kms, treeSize, recordedRoot, conflictingRoot, signature } = decoded.args;
      return {
        kind: decoded.eventName,
        ...at,
        kms: lower(kms),
        treeSize,
        recordedRoot: lower(recordedRoot),
        conflictingRoot: lower(conflictingRoot),
        signature: lower(signature),
      };
    }
    default:
      throw new PolicyReplayError("REPLAY_LOG_UNDECODABLE", `${decoded.eventName} is not a policy event`);
  }
}

/** Decodes one log of either contract. */
export function decodePolicyLog(log: PolicyLog, options: DecodePolicyLogsOptions): PolicyEvent {
  const at = positionOf(log, options);
  if (at.address === lower(options.contracts.appRegistry)) return decodeAppRegistryLog(log, at);
  if (at.address === lower(options.contracts.platformPolicy)) return decodePlatformPolicyLog(log, at);
  throw new PolicyReplayError("REPLAY_LOG_UNKNOWN_ADDRESS", `log of ${log.address}, which is neither policy contract`);
}

/** Decodes logs of both contracts and returns the events in chain order, ready for replay. */
export function decodePolicyLogs(logs: Iterable<PolicyLog>, options: DecodePolicyLogsOptions): PolicyEvent[] {
  return Array.from(logs, (log) => decodePolicyLog(log, options)).sort(compareEventPositions);
}
