/**
 * EIP-712 types of every signed message the contracts accept. The maintainer CLI, the KMS
 * (checkpoints) and the contract tests all sign through these definitions, so there is one
 * source of truth for field order. The Solidity typehashes must match them byte for byte
 * (test/contracts checks that).
 */
export const APP_REGISTRY_DOMAIN_NAME = "basekms AppRegistry";
export const PLATFORM_POLICY_DOMAIN_NAME = "basekms PlatformPolicy";
export const DOMAIN_VERSION = "1";

export const releaseTypes = {
  Release: [
    { name: "appId", type: "bytes20" },
    { name: "composeHash", type: "bytes32" },
    { name: "metadataDigest", type: "bytes32" },
    { name: "nonce", type: "uint32" },
    { name: "deadline", type: "uint64" },
  ],
} as const;

export const appConfigUpdateTypes = {
  AppConfigUpdate: [
    { name: "appId", type: "bytes20" },
    { name: "signers", type: "address[]" },
    { name: "threshold", type: "uint8" },
    { name: "noticePeriod", type: "uint64" },
    { name: "configVersion", type: "uint64" },
    { name: "deadline", type: "uint64" },
  ],
} as const;

export const appFreezeTypes = {
  AppFreeze: [
    { name: "appId", type: "bytes20" },
    { name: "configVersion", type: "uint64" },
    { name: "deadline", type: "uint64" },
  ],
} as const;

export const checkpointTypes = {
  Checkpoint: [
    { name: "treeSize", type: "uint64" },
    { name: "rootHash", type: "bytes32" },
  ],
} as const;

export interface ContractDomain {
  name: string;
  version: string;
  chainId: bigint | number;
  verifyingContract: `0x${string}`;
}

export function appRegistryDomain(chainId: bigint | number, verifyingContract: `0x${string}`): ContractDomain {
  return { name: APP_REGISTRY_DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract };
}

export function platformPolicyDomain(chainId: bigint | number, verifyingContract: `0x${string}`): ContractDomain {
  return { name: PLATFORM_POLICY_DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract };
}

/** TCB status → bit index in PlatformPolicy's allowed-status mask. Revoked is never allowable. */
export const TCB_STATUS_BITS = {
  UpToDate: 0,
  SWHardeningNeeded: 1,
  ConfigurationNeeded: 2,
  ConfigurationAndSWHardeningNeeded: 3,
  OutOfDate: 4,
  OutOfDateConfigurationNeeded: 5,
} as const;
