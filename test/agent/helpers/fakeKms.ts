import { randomBytes } from "node:crypto";
import Fastify from "fastify";
import type { Address, LocalAccount } from "viem";
import { toHex, toHex0x, tryFromHex } from "../../../core/bytes";
import { sha256 } from "../../../core/hash";
import { parseEventLog, verifyEventLog } from "../../../core/attestation/eventlog";
import { platformHash } from "../../../core/attestation/platformHash";
import { parseQuote } from "../../../core/attestation/quote";
import { platformPolicyDomain } from "../../../core/contracts/typedData";
import { deriveDiskKey, sealInfo, sealToAgent, verifyKeyRequestReportData } from "../../../core/crypto";
import { createMemoryTree } from "../../../core/merkle";
import { keyReleaseLeaf, signCheckpoint, type KeyReleaseLeafFields } from "../../../core/releaseLog";
import { KmsError, type ComposeRefusalReason } from "../../../kms/errors";
import { httpErrorOf } from "../../../kms/httpErrors";

/**
 * A stand-in KMS for the agent's tests: the happy path of docs/protocol.md with the real
 * building blocks (a real key-release leaf, an in-memory RFC 6962 tree, a real HPKE seal, a
 * real EIP-712 checkpoint signature). It checks only what the tests need to trust the agent's
 * request (nonce issued and unused, report_data binding, event log replay); it does not
 * verify quotes or policy. Hooks let a test make it misbehave.
 */
export interface ScriptedAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeKmsOptions {
  chainId: number;
  appRegistry: Address;
  platformPolicy: Address;
  /** Signs checkpoints. */
  signer: LocalAccount;
  /** The KMS named in the receipt and leaf (default: the signer). */
  claimedKms?: Address;
  rootSecret: Uint8Array;
  /** Answers to `POST /v1/keys`, used up in order before it releases. */
  keyScript?: ScriptedAnswer[];
  /** Fields written into the leaf instead of the request's. */
  leafOverrides?: Partial<KeyReleaseLeafFields>;
  /** Domain of the checkpoint signature (default: this chain's PlatformPolicy). */
  signingPolicy?: Address;
  /** Seal to another log index than the leaf's. */
  sealLogIndexOffset?: number;
  /** Last word on the JSON response. */
  tamper?: (response: { sealedKey: { enc: string; ciphertext: string }; receipt: Record<string, any> }) => void;
}

export interface RecordedKeyRequest {
  quote: string;
  eventLog: unknown[];
  agentPublicKey: string;
  nonce: string;
}

export interface FakeKms {
  url: string;
  issuedNonces: string[];
  keyRequests: RecordedKeyRequest[];
  close(): Promise<void>;
}

export const POLICY_BLOCK = { number: 7, hash: `0x${"ab".repeat(32)}` as const };
const FILLER_LEAVES = 5;

function refuse(status: number, errorCode: string, message: string): ScriptedAnswer {
  return { status, body: { errorCode, message } };
}

/**
 * The real KMS's answer to a COMPOSE_HASH_NOT_ALLOWED refusal (status and body from
 * kms/httpErrors.ts, with its `reason`), so the agent is tested against the KMS's own wire shape.
 */
export function composeRefusal(reason: ComposeRefusalReason, message: string): ScriptedAnswer {
  const { status, body } = httpErrorOf(new KmsError("COMPOSE_HASH_NOT_ALLOWED", message, { details: { reason } }));
  return { status, body };
}

export async function startFakeKms(options: FakeKmsOptions): Promise<FakeKms> {
  const app = Fastify({ logger: false });
  const issued = new Set<string>();
  const used = new Set<string>();
  const script = [...(options.keyScript ?? [])];
  const issuedNonces: string[] = [];
  const keyRequests: RecordedKeyRequest[] = [];
  const tree = createMemoryTree(Array.from({ length: FILLER_LEAVES }, () => sha256(randomBytes(16))));

  app.get("/v1/challenge", async () => {
    const nonce = toHex(randomBytes(32));
    issued.add(nonce);
    issuedNonces.push(nonce);
    return { nonce, expiresAt: Math.floor(Date.now() / 1000) + 60 };
  });

  app.post("/v1/keys", async (request, reply) => {
    const body = request.body as RecordedKeyRequest;
    keyRequests.push(body);
    const scripted = script.shift();
    const answer = scripted ?? (await release(body));
    for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
    return reply.status(answer.status).send(answer.body);
  });

  async function release(body: RecordedKeyRequest): Promise<ScriptedAnswer> {
    if (!issued.has(body.nonce)) return refuse(403, "NONCE_UNKNOWN", "nonce was not issued");
    if (used.has(body.nonce)) return refuse(403, "NONCE_REUSED", "nonce was used");
    used.add(body.nonce);
    const quote = tryFromHex(body.quote);
    const agentPublicKey = tryFromHex(body.agentPublicKey);
    const nonce = tryFromHex(body.nonce);
    if (!quote || !agentPublicKey || !nonce) return refuse(400, "REQUEST_MALFORMED", "hex fields");
    const quoteBody = parseQuote(quote).body;
    try {
      verifyKeyRequestReportData(quoteBody.reportData, nonce, agentPublicKey);
    } catch {
      return refuse(400, "REPORT_DATA_MISMATCH", "report_data does not bind nonce and key");
    }
    const events = verifyEventLog(parseEventLog(body.eventLog), quoteBody);
    const diskKey = deriveDiskKey(options.rootSecret, {
      chainId: options.chainId,
      contract: options.appRegistry,
      appId: events.appId,
      instanceId: events.instanceId,
      epoch: 0,
    });
    const kms = options.claimedKms ?? options.signer.address;
    const encoded = keyReleaseLeaf({
      time: Math.floor(Date.now() / 1000),
      kms,
      chainId: options.chainId,
      appRegistry: options.appRegistry,
      platformHash: toHex(platformHash(quoteBody)),
      tcbStatus: "UpToDate",
      advisoryIds: [],
      quoteSha256: toHex(sha256(quote)),
      policyBlock: POLICY_BLOCK,
      agentKeySha256: toHex(sha256(agentPublicKey)),
      keyEpoch: 0,
      appId: toHex0x(events.appId),
      instanceId: toHex(events.instanceId),
      composeHash: toHex(events.composeHash),
      ...options.leafOverrides,
    });
    const logIndex = tree.append(encoded.leafHash);
    // Capture the tree head now: concurrent requests append while this one awaits below.
    const treeSize = tree.size;
    const root = tree.root(treeSize);
    const inclusionProof = tree.inclusionProof(logIndex, treeSize);
    const checkpoint = await signCheckpoint(
      options.signer,
      platformPolicyDomain(options.chainId, options.signingPolicy ?? options.platformPolicy),
      treeSize,
      root,
    );
    const sealed = await sealToAgent(
      agentPublicKey,
      diskKey,
      sealInfo({
        chainId: options.chainId,
        appRegistry: options.appRegistry,
        appId: events.appId,
        instanceId: events.instanceId,
        logIndex: logIndex + (options.sealLogIndexOffset ?? 0),
      }),
    );
    const response = {
      sealedKey: { enc: toHex(sealed.enc), ciphertext: toHex(sealed.ciphertext) },
      receipt: {
        logIndex,
        leafHash: toHex(encoded.leafHash),
        leaf: Buffer.from(encoded.bytes).toString("utf8"),
        treeSize,
        rootHash: toHex(root),
        inclusionProof: inclusionProof.map(toHex),
        policyBlock: POLICY_BLOCK,
        kms,
        signature: checkpoint.signature,
      } as Record<string, any>,
    };
    options.tamper?.(response);
    return { status: 200, body: response };
  }

  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url, issuedNonces, keyRequests, close: () => app.close() };
}

/** The key the fake KMS releases for an app instance. */
export function expectedDiskKey(
  rootSecret: Uint8Array,
  context: { chainId: number; appRegistry: Address; appId: Uint8Array; instanceId: Uint8Array },
): Uint8Array {
  return deriveDiskKey(rootSecret, { chainId: context.chainId, contract: context.appRegistry, appId: context.appId, instanceId: context.instanceId, epoch: 0 });
}

export { refuse as kmsRefusal };
