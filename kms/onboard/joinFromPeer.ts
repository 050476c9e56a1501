import { type Address, isAddressEqual } from "viem";
import { bytesEqual, fromHex, toHex, tryFromHex, utf8 } from "../../core/bytes";
import { platformPolicyDomain } from "../../core/contracts/typedData";
import { generateAgentKeyPair } from "../../core/crypto/hpke";
import { onboardingReportData } from "../../core/crypto/keyRequestBinding";
import { sha256 } from "../../core/hash";
import { verifyInclusion } from "../../core/merkle/verifyInclusion";
import { recoverCheckpointSigner } from "../../core/releaseLog/checkpoint";
import { parseLeaf } from "../../core/releaseLog/leaf";
import { KmsError } from "../errors";
import type { OwnAttestation } from "../identity/ownAttestation";
import type { OnboardResponse } from "../schemas";
import { onboardingSealInfo, openOnboardedRootSecret } from "../secrets";

/**
 * The joining side of attested onboarding (`--onboard-from <url>`): get a challenge from a
 * running KMS, quote with report_data = onboardingReportData(nonce, fresh X25519 key), and
 * ask for the root secret. Before opening the envelope the joiner checks the receipt as an
 * agent does: the leaf is a `kms-onboarding` leaf for its own key, it is included under the
 * signed root, and the checkpoint signer is a KMS identity registered on chain.
 */
export interface JoinFromPeerOptions {
  peerUrl: string;
  attestation: OwnAttestation;
  /** The joiner's identity address when it already has one (sandbox); logged as `newKms`. */
  kmsAddress?: Address;
  chainId: number;
  platformPolicy: Address;
  /** `PlatformPolicy.isKmsIdentity` at the joiner's policy block. */
  isKmsIdentity: (kms: Address) => Promise<boolean>;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
}

export interface JoinedRootSecret {
  rootSecret: Uint8Array;
  peer: Address;
  logIndex: number;
}

export async function joinFromPeer(options: JoinFromPeerOptions): Promise<JoinedRootSecret> {
  const http = options.fetch ?? globalThis.fetch;
  const base = options.peerUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 15_000;
  const call = async (path: string, init: RequestInit = {}): Promise<unknown> => {
    let response: Response;
    try {
      response = await http(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      throw new KmsError("ONBOARDING_FAILED", `cannot reach the onboarding peer at ${base}${path}`, { cause });
    }
    const body = (await response.json().catch(() => undefined)) as { errorCode?: string; message?: string } | undefined;
    if (!response.ok) {
      throw new KmsError("ONBOARDING_FAILED", `the peer refused ${path}: HTTP ${response.status} ${body?.errorCode ?? ""} ${body?.message ?? ""}`.trim());
    }
    return body;
  };

  const challenge = (await call("/v1/challenge")) as { nonce?: string };
  const nonce = typeof challenge.nonce === "string" ? tryFromHex(challenge.nonce) : undefined;
  if (nonce?.length !== 32) throw new KmsError("ONBOARDING_FAILED", "the peer's challenge has no 32-byte nonce");
  const keyPair = await generateAgentKeyPair();
  const quote = await options.attestation.quote(onboardingReportData(nonce, keyPair.publicKey));
  const answer = (await call("/v1/onboard", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      quote: toHex(quote),
      eventLog: options.attestation.eventLog(),
      kmsPublicKey: toHex(keyPair.publicKey),
      nonce: toHex(nonce),
      ...(options.kmsAddress ? { kmsAddress: options.kmsAddress } : {}),
    }),
  })) as OnboardResponse;

  const peer = await checkOnboardingReceipt(answer, keyPair.publicKey, options);
  const info = onboardingSealInfo({ chainId: options.chainId, contract: options.platformPolicy, logIndex: answer.receipt.logIndex });
  const sealed = { enc: fromHex(answer.sealedSecret.enc), ciphertext: fromHex(answer.sealedSecret.ciphertext) };
  const rootSecret = await openOnboardedRootSecret(keyPair, sealed, info);
  return { rootSecret, peer, logIndex: answer.receipt.logIndex };
}

async function checkOnboardingReceipt(answer: OnboardResponse, publicKey: Uint8Array, options: JoinFromPeerOptions): Promise<Address> {
  const invalid = (message: string, cause?: unknown) => new KmsError("ONBOARDING_RECEIPT_INVALID", message, { cause });
  const receipt = answer?.receipt;
  if (!receipt || typeof receipt.leaf !== "string" || !answer.sealedSecret) throw invalid("the peer's answer has no receipt");
  try {
    const { leaf, leafHash } = parseLeaf(utf8(receipt.leaf));
    if (leaf.kind !== "kms-onboarding") throw invalid(`the receipt's leaf is a ${leaf.kind} leaf`);
    if (leaf.agentKeySha256 !== toHex(sha256(publicKey))) throw invalid("the receipt's leaf names another joining key");
    if (leaf.chainId !== options.chainId) throw invalid(`the receipt's leaf is for chain ${leaf.chainId}`);
    if (!bytesEqual(leafHash, fromHex(receipt.leafHash))) throw invalid("the receipt's leafHash is not the hash of its leaf");
    verifyInclusion(leafHash, receipt.logIndex, receipt.treeSize, receipt.inclusionProof.map(fromHex), fromHex(receipt.rootHash));
    const domain = platformPolicyDomain(options.chainId, options.platformPolicy);
    const signer = await recoverCheckpointSigner({ treeSize: receipt.treeSize, rootHash: `0x${receipt.rootHash}`, signature: receipt.signature as `0x${string}` }, domain);
    if (!isAddressEqual(signer, receipt.kms as Address)) throw invalid(`the checkpoint is signed by ${signer}, not ${receipt.kms}`);
    if (!(await options.isKmsIdentity(signer))) {
      throw new KmsError("ONBOARDING_PEER_NOT_REGISTERED", `the peer's identity ${signer} is not a registered KMS identity`);
    }
    return signer;
  } catch (error) {
    if (error instanceof KmsError) throw error;
    throw invalid(`the peer's receipt does not verify: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}
