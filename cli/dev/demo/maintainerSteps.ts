import fs from "node:fs";
import path from "node:path";
import type { Address, Hex } from "viem";
import type { HDAccount } from "viem/accounts";
import { approveRelease, type ApproveReleaseReturnType } from "../../../scripts/maintainer/approveRelease";
import { readSignatureFiles } from "../../../scripts/maintainer/cliSupport";
import { withAccount, type MaintainerClient, type MaintainerWriter } from "../../../scripts/maintainer/client";
import { prepareReleaseSignature } from "../../../scripts/maintainer/prepareReleaseSignature";
import { revokeRelease, type RevokeReleaseReturnType } from "../../../scripts/maintainer/revokeRelease";
import { serializeSignatureFile } from "../../../scripts/maintainer/signatureFile";
import { signingDigestOf } from "../../../scripts/maintainer/signatureRequest";
import { signSignatureRequest } from "../../../scripts/maintainer/signSignatureRequest";
import { verifySignatureFile } from "../../../scripts/maintainer/verifySignatureFile";
import { signatureDeadlineOption } from "../../../scripts/maintainer/writeSignatureOutput";
import type { DemoBuild } from "./demoBuilds";

/**
 * The maintainers' part of the demo, through the actions behind `basekms release sign --out`,
 * `release submit` and `release revoke` (scripts/maintainer/; `app register` is `registerApp`
 * itself): each
 * maintainer signs on their own, the signature files go through disk, and whoever submits
 * sends the bundle. Only the commander layer and the key loading are left out: each
 * maintainer's key is a Hardhat dev account held in memory.
 */
export interface DemoMaintainer {
  name: string;
  account: HDAccount;
}

export function writerFor(client: MaintainerClient, rpcUrl: string, maintainer: DemoMaintainer): MaintainerWriter {
  return withAccount(client, maintainer.account, rpcUrl);
}

export interface SignedRelease {
  signer: Address;
  file: string;
  signingDigest: Hex;
}

/** `basekms release sign --app <id> --compose <file> --commit … --image … --tag … --out <file>` for one maintainer. */
export async function signRelease(
  client: MaintainerClient,
  parameters: { maintainer: DemoMaintainer; appId: Hex; build: DemoBuild; out: string },
): Promise<SignedRelease> {
  const request = await prepareReleaseSignature(client, {
    appId: parameters.appId,
    composeHash: parameters.build.composeHash,
    metadata: parameters.build.metadata,
    deadline: signatureDeadlineOption({ deadline: "7d" }),
  });
  const file = await signSignatureRequest(parameters.maintainer.account, request);
  await verifySignatureFile(client, file, "the new signature");
  fs.mkdirSync(path.dirname(parameters.out), { recursive: true });
  fs.writeFileSync(parameters.out, serializeSignatureFile(file));
  return { signer: file.signer, file: parameters.out, signingDigest: signingDigestOf(request) };
}

/** `basekms release submit <sig files...>` sent by `writer`. */
export async function submitRelease(writer: MaintainerWriter, files: readonly string[]): Promise<ApproveReleaseReturnType> {
  return approveRelease(writer, { files: readSignatureFiles(files) });
}

/** `basekms release revoke --app <id> --compose-hash <hash>` by one signer. */
export async function revokeDemoRelease(writer: MaintainerWriter, appId: Hex, composeHash: Hex): Promise<RevokeReleaseReturnType> {
  return revokeRelease(writer, { appId, composeHash });
}
