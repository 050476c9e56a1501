import { hashTypedData, type Address, type Hex, type TypedDataDefinition } from "viem";
import { appFreezeTypes, appRegistryDomain, releaseTypes } from "../../core/contracts/typedData";
import type { ReleaseMetadata } from "../../core/release/metadata";
import { MaintainerError } from "./errors";

/**
 * What a signer signs, with everything a co-signer or a reviewer needs to check it: the EIP-712
 * message of `Release` or `AppFreeze`, where it is valid (chain id and AppRegistry address), and
 * for a release the metadata whose digest is signed. A signature file is a request plus
 * `signer` and `signature` (see `signatureFile.ts`).
 */
export const SIGNATURE_FILE_FORMAT = "basekms-signature/v1";

interface SignatureRequestCommon {
  format: typeof SIGNATURE_FILE_FORMAT;
  chainId: number;
  /** The AppRegistry address: the EIP-712 verifying contract. */
  verifyingContract: Address;
  /** Lowercase 0x-hex, 20 bytes. */
  appId: Hex;
  /** Unix seconds; the contract refuses the bundle after it. */
  deadline: number;
}

export interface ReleaseSignatureRequest extends SignatureRequestCommon {
  kind: "Release";
  composeHash: Hex;
  metadata: ReleaseMetadata;
  /** `releaseMetadataDigest(metadata)`, lowercase 0x-hex. */
  metadataDigest: Hex;
  /** The release record's nonce when it was read: the number of earlier approvals of this compose hash. */
  nonce: number;
}

export interface AppFreezeSignatureRequest extends SignatureRequestCommon {
  kind: "AppFreeze";
  /** The app's configuration version when it was read. */
  configVersion: number;
}

export type SignatureRequest = ReleaseSignatureRequest | AppFreezeSignatureRequest;

/**
 * A signature's deadline: `{ at }` pins a unix time, so that printing typed data for a hardware
 * wallet and wrapping its signature later build the same message; `{ validForSeconds }` counts
 * from the latest block, the clock the contract checks against.
 */
export type SignatureDeadline = { at: number } | { validForSeconds: number };

export function deadlineOf(deadline: SignatureDeadline, latestBlockTimestamp: bigint): number {
  return "at" in deadline ? deadline.at : Number(latestBlockTimestamp) + deadline.validForSeconds;
}

export interface SignatureFile<Request extends SignatureRequest = SignatureRequest> {
  request: Request;
  signer: Address;
  signature: Hex;
}

/** The EIP-712 typed data of a request, as viem signs and hashes it. */
export function typedDataOf(request: SignatureRequest): TypedDataDefinition {
  const domain = appRegistryDomain(request.chainId, request.verifyingContract);
  if (request.kind === "Release") {
    return {
      domain,
      types: releaseTypes,
      primaryType: "Release",
      message: {
        appId: request.appId,
        composeHash: request.composeHash,
        metadataDigest: request.metadataDigest,
        nonce: request.nonce,
        deadline: BigInt(request.deadline),
      },
    } as TypedDataDefinition;
  }
  return {
    domain,
    types: appFreezeTypes,
    primaryType: "AppFreeze",
    message: { appId: request.appId, configVersion: BigInt(request.configVersion), deadline: BigInt(request.deadline) },
  } as TypedDataDefinition;
}

/** The 32-byte EIP-712 digest that is signed (what a hardware wallet shows; the contract's `hashRelease` / `hashAppFreeze`). */
export function signingDigestOf(request: SignatureRequest): Hex {
  return hashTypedData(typedDataOf(request));
}

/**
 * The typed data as `eth_signTypedData_v4` JSON, for a hardware wallet, a Safe or `cast wallet
 * sign --data`: `EIP712Domain` is listed in `types`, and 64-bit integers are decimal strings.
 */
export function ethSignTypedDataV4Of(request: SignatureRequest): Record<string, unknown> {
  const typedData = typedDataOf(request);
  const domain = typedData.domain as { name: string; version: string; chainId: number | bigint; verifyingContract: Address };
  const message = Object.fromEntries(
    Object.entries(typedData.message as Record<string, unknown>).map(([key, value]) => [key, typeof value === "bigint" ? value.toString() : value]),
  );
  return {
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
      ],
      ...(typedData.types as Record<string, unknown>),
    },
    primaryType: typedData.primaryType,
    domain: { name: domain.name, version: domain.version, chainId: Number(domain.chainId), verifyingContract: domain.verifyingContract },
    message,
  };
}

/** Narrows a request to the kind a command needs (`SIGNATURE_FILE_INVALID` otherwise). */
export function requireKind<Kind extends SignatureRequest["kind"]>(
  request: SignatureRequest,
  kind: Kind,
  source = "signature file",
): Extract<SignatureRequest, { kind: Kind }> {
  if (request.kind !== kind) {
    throw new MaintainerError("SIGNATURE_FILE_INVALID", `${source} signs an ${request.kind} message, but this command needs ${kind} signatures`);
  }
  return request as Extract<SignatureRequest, { kind: Kind }>;
}
