import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import type { MaintainerClient } from "./client";
import { MaintainerError } from "./errors";
import { readChainClock, readContractExplained } from "./readContractExplained";
import type { SignatureRequest } from "./signatureRequest";

/**
 * Checks that a signed request can still be submitted, so the user learns why in plain words
 * rather than from `AppRegistryInvalidSignature`:
 * - the deadline is not before the latest block (`SIGNATURE_DEADLINE_PASSED`);
 * - a release's nonce is the release record's nonce (`SIGNATURE_NONCE_STALE`: approved or
 *   revoked since, so the co-signers must sign again);
 * - a freeze's config version is the app's (`SIGNATURE_CONFIG_VERSION_STALE`).
 */
export async function checkSignatureRequestIsCurrent(client: MaintainerClient, request: SignatureRequest): Promise<void> {
  const clock = await readChainClock(client);
  if (BigInt(request.deadline) < clock.timestamp) {
    throw new MaintainerError(
      "SIGNATURE_DEADLINE_PASSED",
      `the signatures' deadline ${new Date(request.deadline * 1000).toISOString()} is before the latest block ` +
        `(${new Date(Number(clock.timestamp) * 1000).toISOString()}); sign again with a later --deadline`,
    );
  }
  if (request.kind === "Release") {
    const [, , nonce] = await readContractExplained<readonly [bigint, bigint, number]>(client, {
      address: client.appRegistry,
      abi: appRegistryAbi,
      functionName: "getRelease",
      args: [request.appId, request.composeHash],
    });
    if (Number(nonce) !== request.nonce) {
      throw new MaintainerError(
        "SIGNATURE_NONCE_STALE",
        `the signatures are for nonce ${request.nonce} of compose hash ${request.composeHash}, but the release is at nonce ${nonce} ` +
          `(it was approved since they were made); sign again`,
      );
    }
    return;
  }
  const [, , , configVersion] = await readContractExplained<readonly [unknown, number, bigint, bigint, boolean]>(client, {
    address: client.appRegistry,
    abi: appRegistryAbi,
    functionName: "getApp",
    args: [request.appId],
  });
  if (Number(configVersion) !== request.configVersion) {
    throw new MaintainerError(
      "SIGNATURE_CONFIG_VERSION_STALE",
      `the freeze signatures are for configuration version ${request.configVersion} of app ${request.appId}, but it is at version ${configVersion}; sign again`,
    );
  }
}
