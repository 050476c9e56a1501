import type { Address } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import type { MaintainerWriter } from "./client";
import { checkSignatureRequestIsCurrent } from "./checkSignatureRequestIsCurrent";
import { collectSignatures, type SourcedSignatureFile } from "./collectSignatures";
import { requireEvent, sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";
import { requireKind, type ReleaseSignatureRequest } from "./signatureRequest";
import { submitterIfSigner } from "./submitterIfSigner";
import { verifySignatureFile } from "./verifySignatureFile";

export interface ApproveReleaseParameters {
  /** The co-signers' `Release` signature files (the submitter's own may be among them). */
  files: readonly SourcedSignatureFile[];
}

export interface ApproveReleaseReturnType extends SentTransaction {
  request: ReleaseSignatureRequest;
  event: DecodedEvent;
  /** Unix seconds from which `isReleaseAllowed` answers true. */
  activatesAt: bigint;
  /** Every approver, ascending, as the event lists them (a signer-submitter included). */
  approvers: Address[];
  submitterSignatureDropped: boolean;
}

/**
 * Submits k co-signatures (`AppRegistry.approveRelease`). The files must agree, verify for this
 * deployment and still be current (`collectSignatures`, `verifySignatureFile`,
 * `checkSignatureRequestIsCurrent`). When the submitter is a current signer it approves by
 * sending, so its own signature is left out. The contract's own refusals are explained by the
 * pre-flight simulation.
 */
export async function approveRelease(client: MaintainerWriter, parameters: ApproveReleaseParameters): Promise<ApproveReleaseReturnType> {
  const first = collectSignatures(parameters.files).request;
  const submitter = await submitterIfSigner(client, first.appId);
  const bundle = collectSignatures(parameters.files, submitter ? { submitter } : {});
  const request = requireKind(bundle.request, "Release", parameters.files[0]?.source);
  for (const { file, source } of parameters.files) await verifySignatureFile(client, file, source);
  await checkSignatureRequestIsCurrent(client, request);
  const sent = await sendContractWrite(client, {
    address: client.appRegistry,
    abi: appRegistryAbi,
    functionName: "approveRelease",
    args: [request.appId, request.composeHash, request.metadataDigest, BigInt(request.deadline), bundle.signatures],
  });
  const event = requireEvent(sent, "ReleaseApproved");
  return {
    ...sent,
    request,
    event,
    activatesAt: event.args.activatesAt as bigint,
    approvers: [...(event.args.signers as readonly Address[])],
    submitterSignatureDropped: bundle.submitterSignatureDropped,
  };
}
