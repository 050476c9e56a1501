import { type Address, zeroAddress } from "viem";
import { fromHex, toHex } from "../../core/bytes";
import { kmsMeasurement } from "../../core/attestation/kmsMeasurement";
import { sha256 } from "../../core/hash";
import { onboardingLeaf } from "../../core/releaseLog/leaf";
import type { AttestedRequestVerifier } from "../attest/verifyAttestedRequest";
import { KmsError } from "../errors";
import type { PolicyBlockSource } from "../policy/policyBlock";
import type { PolicyReader } from "../policy/policyReader";
import { assertKmsRegistered, checkTcbStatus } from "../release/checkPolicy";
import type { LogWriter } from "../release/logWriter";
import { receiptOf } from "../release/receipt";
import type { OnboardRequestBody, OnboardResponse } from "../schemas";
import { onboardingSealInfo, sealRootSecretForOnboarding } from "../secrets";

/**
 * `POST /v1/onboard`: a new KMS instance joins and receives the root secret.
 * Steps 1-4 as for a key request, with report_data = onboardingReportData(nonce, kmsPublicKey);
 * then, at the policy block, the TCB status must be allowed and the joiner's KMS measurement
 * `SHA-256(platformHash ‖ composeHash)` must be on the chain's KMS allowlist
 * (KMS_MEASUREMENT_NOT_ALLOWED). A `kms-onboarding` leaf is committed before the secret is
 * sealed to `kmsPublicKey` (info: onboardingSealInfo with the PlatformPolicy address and the
 * leaf's index; aad "basekms/root-secret/v1"). The root secret is sealed here on the main
 * thread: it never enters a release worker.
 */
export interface OnboardingServiceOptions {
  verifyAttested: AttestedRequestVerifier;
  policyBlocks: PolicyBlockSource;
  policy: PolicyReader;
  logWriter: LogWriter;
  rootSecret: Uint8Array;
  kms: Address;
  chainId: number;
  appRegistry: Address;
  platformPolicy: Address;
  now?: () => number;
}

export interface Onboarding {
  response: OnboardResponse;
  newKms: string;
  measurement: string;
  logIndex: number;
}

export interface OnboardingService {
  onboard(body: OnboardRequestBody): Promise<Onboarding>;
}

export function createOnboardingService(options: OnboardingServiceOptions): OnboardingService {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    onboard: async (body) => {
      const kmsPublicKey = fromHex(body.kmsPublicKey);
      const { quote, events } = await options.verifyAttested({
        quoteHex: body.quote,
        eventLog: body.eventLog,
        nonce: fromHex(body.nonce),
        recipientPublicKey: kmsPublicKey,
        binding: "onboarding",
      });
      const measurement = kmsMeasurement(quote.platformHash, events.composeHash);

      const block = await options.policyBlocks.current();
      await assertKmsRegistered(options.policy, block, options.kms);
      await checkTcbStatus(options.policy, block, quote.status);
      if (!(await options.policy.isKmsMeasurementAllowed(block, measurement))) {
        throw new KmsError("KMS_MEASUREMENT_NOT_ALLOWED", `KMS measurement ${toHex(measurement)} is not allowed at block ${block.number}`);
      }

      const leaf = onboardingLeaf({
        time: now(),
        kms: options.kms,
        chainId: options.chainId,
        appRegistry: options.appRegistry,
        platformHash: toHex(quote.platformHash),
        tcbStatus: quote.status,
        advisoryIds: quote.advisoryIds,
        quoteSha256: toHex(quote.quoteSha256),
        policyBlock: block,
        agentKeySha256: toHex(sha256(kmsPublicKey)),
        keyEpoch: 0,
        newKms: body.kmsAddress ?? zeroAddress,
        kmsMeasurement: toHex(measurement),
      });
      const committed = await options.logWriter.append(leaf.bytes);
      const info = onboardingSealInfo({ chainId: options.chainId, contract: options.platformPolicy, logIndex: committed.index });
      const sealed = await sealRootSecretForOnboarding(options.rootSecret, kmsPublicKey, info);
      return {
        response: {
          sealedSecret: { enc: toHex(sealed.enc), ciphertext: toHex(sealed.ciphertext) },
          receipt: receiptOf(committed, leaf.bytes, block),
        },
        newKms: leaf.leaf.newKms,
        measurement: leaf.leaf.kmsMeasurement,
        logIndex: committed.index,
      };
    },
  };
}
