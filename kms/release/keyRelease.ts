import type { Address } from "viem";
import { fromHex, toHex, toHex0x } from "../../core/bytes";
import type { SealedEnvelope } from "../../core/crypto/hpke";
import { deriveDiskKey } from "../../core/crypto/keyDerivation";
import { sealInfo } from "../../core/crypto/sealInfo";
import { sha256 } from "../../core/hash";
import { keyReleaseLeaf } from "../../core/releaseLog/leaf";
import { type AttestedRequestVerifier, assertAppIdLength } from "../attest/verifyAttestedRequest";
import type { PolicyBlockSource } from "../policy/policyBlock";
import type { PolicyReader } from "../policy/policyReader";
import type { KeyRequestBody, KeyResponse } from "../schemas";
import { assertKmsRegistered, checkPlatform, checkRelease } from "./checkPolicy";
import type { LogWriter } from "./logWriter";
import { receiptOf } from "./receipt";

/**
 * `POST /v1/keys`: docs/protocol.md steps 1-6, then the release (§4). The checks run in the
 * protocol's order and the first failure is the refusal. Only when all pass: the disk key is
 * derived, the `key-release` leaf is committed to the log (no leaf, no key:
 * LOG_APPEND_FAILED releases nothing), and the key is sealed with HPKE to the agent key
 * that the quote binds. Quote verification and the seal run in release workers
 * (`verifyAttested`, `seal`); everything with state runs here, on the main thread.
 */
export interface KeyReleaseServiceOptions {
  verifyAttested: AttestedRequestVerifier;
  /** HPKE-seals the derived key to the agent key (a release worker; it zeroes `plaintext`). */
  seal: (recipientPublicKey: Uint8Array, plaintext: Uint8Array, info: Uint8Array) => Promise<SealedEnvelope>;
  policyBlocks: PolicyBlockSource;
  policy: PolicyReader;
  logWriter: LogWriter;
  rootSecret: Uint8Array;
  kms: Address;
  chainId: number;
  appRegistry: Address;
  /** Key epoch for every release (protocol v1: 0). */
  keyEpoch?: number;
  /** Unix seconds, for the leaf's `time`. */
  now?: () => number;
}

export interface KeyRelease {
  response: KeyResponse;
  /** For logs and metrics: public facts only. */
  appId: string;
  logIndex: number;
}

export interface KeyReleaseService {
  release(body: KeyRequestBody): Promise<KeyRelease>;
}

export function createKeyReleaseService(options: KeyReleaseServiceOptions): KeyReleaseService {
  const keyEpoch = options.keyEpoch ?? 0;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    release: async (body) => {
      const agentPublicKey = fromHex(body.agentPublicKey);
      const { quote, events } = await options.verifyAttested({
        quoteHex: body.quote,
        eventLog: body.eventLog,
        nonce: fromHex(body.nonce),
        recipientPublicKey: agentPublicKey,
        binding: "key-request",
      });
      assertAppIdLength(events);

      const block = await options.policyBlocks.current();
      await assertKmsRegistered(options.policy, block, options.kms);
      await checkPlatform(options.policy, block, quote.platformHash, quote.status);
      await checkRelease(options.policy, block, events.appId, events.composeHash);

      const context = { chainId: options.chainId, appId: events.appId, instanceId: events.instanceId };
      const diskKey = deriveDiskKey(options.rootSecret, { ...context, contract: options.appRegistry, epoch: keyEpoch });
      try {
        const leaf = keyReleaseLeaf({
          time: now(),
          kms: options.kms,
          chainId: options.chainId,
          appRegistry: options.appRegistry,
          appId: toHex0x(events.appId),
          instanceId: toHex(events.instanceId),
          composeHash: toHex(events.composeHash),
          platformHash: toHex(quote.platformHash),
          tcbStatus: quote.status,
          advisoryIds: quote.advisoryIds,
          quoteSha256: toHex(quote.quoteSha256),
          policyBlock: block,
          agentKeySha256: toHex(sha256(agentPublicKey)),
          keyEpoch,
        });
        const committed = await options.logWriter.append(leaf.bytes);
        const info = sealInfo({ ...context, appRegistry: options.appRegistry, logIndex: committed.index });
        const sealed = await options.seal(agentPublicKey, diskKey, info);
        return {
          response: {
            sealedKey: { enc: toHex(sealed.enc), ciphertext: toHex(sealed.ciphertext) },
            receipt: receiptOf(committed, leaf.bytes, block),
          },
          appId: leaf.leaf.appId,
          logIndex: committed.index,
        };
      } finally {
        diskKey.fill(0);
      }
    },
  };
}
