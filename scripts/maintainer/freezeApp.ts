import type { Hex } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import type { MaintainerWriter } from "./client";
import { checkSignatureRequestIsCurrent } from "./checkSignatureRequestIsCurrent";
import { collectSignatures, type SourcedSignatureFile } from "./collectSignatures";
import { MaintainerError } from "./errors";
import { readChainClock } from "./readContractExplained";
import { requireEvent, sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";
import { requireKind } from "./signatureRequest";
import { submitterIfSigner } from "./submitterIfSigner";
import { verifySignatureFile } from "./verifySignatureFile";

export interface FreezeAppParameters {
  appId: Hex;
  /** `AppFreeze` signature files; none when the submitter alone meets the threshold (k = 1). */
  files: readonly SourcedSignatureFile[];
}

export interface FreezeAppReturnType extends SentTransaction {
  event: DecodedEvent;
  configVersion: bigint;
  submitterSignatureDropped: boolean;
}

/** A deadline for a freeze sent without signatures: the sender approves in this very transaction. */
const UNSIGNED_FREEZE_DEADLINE_SECONDS = 3_600;

/** Freezes an app for ever (`AppRegistry.freezeApp`), with k approvals, like `approveRelease`. */
export async function freezeApp(client: MaintainerWriter, parameters: FreezeAppParameters): Promise<FreezeAppReturnType> {
  let deadline: bigint;
  let signatures: { signer: Hex; signature: Hex }[] = [];
  let submitterSignatureDropped = false;
  if (parameters.files.length > 0) {
    const submitter = await submitterIfSigner(client, parameters.appId);
    const bundle = collectSignatures(parameters.files, submitter ? { submitter } : {});
    const request = requireKind(bundle.request, "AppFreeze", parameters.files[0]?.source);
    if (request.appId !== parameters.appId.toLowerCase()) {
      throw new MaintainerError("SIGNATURE_FILES_DISAGREE", `the signature files freeze app ${request.appId}, not ${parameters.appId}`);
    }
    for (const { file, source } of parameters.files) await verifySignatureFile(client, file, source);
    await checkSignatureRequestIsCurrent(client, request);
    deadline = BigInt(request.deadline);
    signatures = bundle.signatures;
    submitterSignatureDropped = bundle.submitterSignatureDropped;
  } else {
    deadline = (await readChainClock(client)).timestamp + BigInt(UNSIGNED_FREEZE_DEADLINE_SECONDS);
  }
  const sent = await sendContractWrite(client, {
    address: client.appRegistry,
    abi: appRegistryAbi,
    functionName: "freezeApp",
    args: [parameters.appId, deadline, signatures],
  });
  const event = requireEvent(sent, "AppFrozen");
  return { ...sent, event, configVersion: event.args.configVersion as bigint, submitterSignatureDropped };
}
