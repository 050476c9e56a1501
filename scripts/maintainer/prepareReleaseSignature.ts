import type { Hex } from "viem";
import { toHex0x } from "../../core/bytes";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { releaseMetadataDigest, type ReleaseMetadata } from "../../core/release/metadata";
import type { MaintainerClient } from "./client";
import { readChainClock, readContractExplained } from "./readContractExplained";
import { deadlineOf, SIGNATURE_FILE_FORMAT, type SignatureDeadline, type ReleaseSignatureRequest } from "./signatureRequest";

export interface PrepareReleaseSignatureParameters {
  appId: Hex;
  composeHash: Hex;
  metadata: ReleaseMetadata;
  /** When the signature stops being usable: a fixed unix time, or seconds after the chain's latest block. */
  deadline: SignatureDeadline;
}

/**
 * Builds the `Release` message to sign: the nonce is the release record's current nonce
 * (`getRelease(...).nonce`), and a relative deadline counts from the latest block's timestamp,
 * which is the clock the contract checks it against.
 */
export async function prepareReleaseSignature(client: MaintainerClient, parameters: PrepareReleaseSignatureParameters): Promise<ReleaseSignatureRequest> {
  const [, , nonce] = await readContractExplained<readonly [bigint, bigint, number]>(client, {
    address: client.appRegistry,
    abi: appRegistryAbi,
    functionName: "getRelease",
    args: [parameters.appId, parameters.composeHash],
  });
  const clock = await readChainClock(client);
  return {
    format: SIGNATURE_FILE_FORMAT,
    kind: "Release",
    chainId: client.chainId,
    verifyingContract: client.appRegistry,
    appId: parameters.appId.toLowerCase() as Hex,
    composeHash: parameters.composeHash.toLowerCase() as Hex,
    metadata: parameters.metadata,
    metadataDigest: toHex0x(releaseMetadataDigest(parameters.metadata)),
    nonce: Number(nonce),
    deadline: deadlineOf(parameters.deadline, clock.timestamp),
  };
}
