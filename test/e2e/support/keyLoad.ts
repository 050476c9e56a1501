/**
 * Concurrent key requests against a running KMS: `concurrency` workers, each a simulated app
 * VM that loops challenge → fresh agent key → simulator quote → `POST /v1/keys`. Every agent
 * key is recorded before its request is sent, so the test can tell a leaf it caused from one
 * it did not, and every 200 keeps its receipt.
 */
import { toHex } from "../../../core/bytes";
import { sha256 } from "../../../core/hash";
import type { TdxSimulator } from "../../../core/attestation/simulator/tdxSimulator";
import { buildKeyRequest, getChallenge, postJson } from "../../kms/testbedKms";

export interface ReleasedKey {
  agentKeySha256: string;
  logIndex: number;
  leafHash: string;
  treeSize: number;
  rootHash: string;
  signature: `0x${string}`;
  kms: `0x${string}`;
}

export interface LoadReport {
  released: ReleasedKey[];
  /** Non-200 answers, by `status errorCode`. */
  refused: Map<string, number>;
  /** Requests that got no answer (connection refused or reset). */
  unanswered: number;
  /** sha256(agentPublicKey) of every key request sent. */
  sentAgentKeys: Set<string>;
}

export interface KeyLoad {
  report: LoadReport;
  /** Key requests sent and not yet answered. */
  inFlight(): number;
  /** Asks the workers to stop after their current request, and waits for them. */
  stop(): Promise<void>;
  /** Settles when every worker has stopped (asked to, or after a request got no answer). */
  finished: Promise<void>;
}

export function startKeyLoad(kmsUrl: string, concurrency: number, vmFor: (worker: number) => TdxSimulator): KeyLoad {
  const report: LoadReport = { released: [], refused: new Map(), unanswered: 0, sentAgentKeys: new Set() };
  let inFlight = 0;
  let stopped = false;

  const worker = async (index: number) => {
    const vm = vmFor(index);
    while (!stopped) {
      let sent = false;
      try {
        const { nonce } = await getChallenge(kmsUrl);
        const request = await buildKeyRequest(vm, nonce);
        const agentKeySha256 = toHex(sha256(request.keyPair.publicKey));
        report.sentAgentKeys.add(agentKeySha256);
        inFlight++;
        sent = true;
        const answer = await postJson(`${kmsUrl}/v1/keys`, request.body);
        inFlight--;
        sent = false;
        if (answer.status === 200) {
          const receipt = answer.json.receipt as Omit<ReleasedKey, "agentKeySha256">;
          const { logIndex, leafHash, treeSize, rootHash, signature, kms } = receipt;
          report.released.push({ agentKeySha256, logIndex, leafHash, treeSize, rootHash, signature, kms });
        } else {
          const key = `${answer.status} ${String(answer.json.errorCode)}`;
          report.refused.set(key, (report.refused.get(key) ?? 0) + 1);
        }
      } catch {
        if (sent) inFlight--;
        report.unanswered++;
        return; // the KMS is gone: this worker is done
      }
    }
  };

  const finished = Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index))).then(() => undefined);
  return {
    report,
    inFlight: () => inFlight,
    stop: async () => {
      stopped = true;
      await finished;
    },
    finished,
  };
}
