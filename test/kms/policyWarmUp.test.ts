import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { fromHex } from "../../core/bytes";
import type { RunningKms } from "../../kms/server";
import { type TestChain, startTestChain } from "./testbedChain";
import { makeAgentVm, publishTestApp, requestKey, startTestKms, testComposeHash } from "./testbedKms";

/**
 * The policy warm-up as the running KMS wires it (kms/server.ts: the policy block source's
 * `prepare` is the reader's `warm`): when the policy block moves, the questions requests asked
 * at the old block are read at the new one before requests move, so a request at the new
 * block sends no `eth_call`. Observed through a JSON-RPC proxy between the KMS and a real
 * Hardhat node that records every contract read and the block it was made at.
 */
interface ContractRead {
  to: string;
  block: number | "other";
}

interface RecordingProxy {
  url: string;
  reads: ContractRead[];
  close(): Promise<void>;
}

async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const reads: ContractRead[] = [];
  const record = (call: { method?: string; params?: unknown[] }) => {
    if (call.method !== "eth_call") return;
    const [transaction, tag] = call.params ?? [];
    const block = typeof tag === "string" && /^0x[0-9a-f]+$/i.test(tag) ? Number(tag) : ("other" as const);
    reads.push({ to: String((transaction as { to?: string } | undefined)?.to ?? "").toLowerCase(), block });
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      try {
        const parsed = JSON.parse(body.toString("utf8")) as unknown;
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) record(call as { method?: string; params?: unknown[] });
      } catch {
        // Forwarded as it is; the node answers malformed JSON itself.
      }
      fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
        async (answer) => response.writeHead(answer.status, { "content-type": "application/json" }).end(Buffer.from(await answer.arrayBuffer())),
        () => response.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reads,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let chain: TestChain;
let proxy: RecordingProxy;
let kms: RunningKms;
let appId: Hex;
const composeHash = testComposeHash("policy-warm-up");
const vm = () => makeAgentVm({ appId, composeHash, instanceId: fromHex("77".repeat(20)) });

beforeAll(async () => {
  chain = await startTestChain();
  proxy = await startRecordingProxy(chain.rpcUrl);
  // No background poll: the test moves the policy block itself, with refresh().
  kms = await startTestKms(chain, { env: { BASEKMS_RPC_URL: proxy.url }, start: { policyPollIntervalMs: 60_000, policyMaxAgeMs: 60_000 } });
  appId = await publishTestApp(chain, kms, composeHash);
});

afterAll(async () => {
  await kms?.close();
  await proxy?.close();
  await chain?.stop();
});

describe("policy warm-up in the running KMS", () => {
  it("reads at a new policy block what requests asked at the old one, so the next request sends no eth_call", async () => {
    const policyContracts = [chain.platformPolicy.toLowerCase(), chain.appRegistry.toLowerCase()];
    const policyReadsAt = (block: number) => proxy.reads.filter((read) => read.block === block && policyContracts.includes(read.to));

    const first = await requestKey(kms.url, vm());
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    const oldBlock = (first.json.receipt as { policyBlock: { number: number } }).policyBlock.number;
    const askedAtOld = policyReadsAt(oldBlock).length;
    expect(askedAtOld).toBeGreaterThanOrEqual(3); // the KMS's identity, the platform, the release

    await chain.mine(1);
    const newBlock = (await kms.policyBlocks.refresh()).number;
    expect(newBlock).toBe(oldBlock + 1);
    // Read during the switch, before any request at the new block: the same questions.
    expect(policyReadsAt(newBlock)).toHaveLength(askedAtOld);

    const readsBefore = proxy.reads.length;
    const second = await requestKey(kms.url, vm());
    expect(second.status, JSON.stringify(second.json)).toBe(200);
    expect((second.json.receipt as { policyBlock: { number: number } }).policyBlock.number).toBe(newBlock);
    expect(proxy.reads.slice(readsBefore).filter((read) => policyContracts.includes(read.to))).toEqual([]);
  });
});
