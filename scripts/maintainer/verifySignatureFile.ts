import { recoverTypedDataAddress, type Address } from "viem";
import type { MaintainerClient } from "./client";
import { MaintainerError } from "./errors";
import { typedDataOf, type SignatureFile } from "./signatureRequest";

/**
 * Checks a signature file against this deployment before anything is sent:
 * - it was made for this chain id and this AppRegistry (`SIGNATURE_WRONG_DEPLOYMENT`);
 * - its signature verifies for the signer it names (`SIGNATURE_INVALID`): ECDSA recovery for an
 *   EOA, or ERC-1271 `isValidSignature` through the RPC when the signer is a contract (a Safe).
 */
export async function verifySignatureFile(client: MaintainerClient, file: SignatureFile, source = "signature file"): Promise<void> {
  const { request } = file;
  if (request.chainId !== client.chainId || request.verifyingContract.toLowerCase() !== client.appRegistry.toLowerCase()) {
    throw new MaintainerError(
      "SIGNATURE_WRONG_DEPLOYMENT",
      `${source} was signed for AppRegistry ${request.verifyingContract} on chain ${request.chainId}, ` +
        `but this deployment's AppRegistry is ${client.appRegistry} on chain ${client.chainId}`,
    );
  }
  const typedData = typedDataOf(request);
  let recovered: Address | undefined;
  try {
    recovered = await recoverTypedDataAddress({ ...typedData, signature: file.signature } as never);
  } catch {
    recovered = undefined;
  }
  if (recovered && recovered.toLowerCase() === file.signer.toLowerCase()) return;
  const code = await client.publicClient.getCode({ address: file.signer });
  if (code && code !== "0x") {
    const valid = await client.publicClient.verifyTypedData({ ...typedData, address: file.signer, signature: file.signature } as never);
    if (valid) return;
    throw new MaintainerError("SIGNATURE_INVALID", `${source}: contract wallet ${file.signer} does not accept the signature (ERC-1271) for this ${request.kind} message`);
  }
  throw new MaintainerError(
    "SIGNATURE_INVALID",
    recovered
      ? `${source}: the signature was made by ${recovered}, not by ${file.signer} as the file says (or over another message)`
      : `${source}: the signature is malformed`,
  );
}
