/**
 * HPKE seal/open throughput on this machine: `npx tsx test/crypto/hpkeThroughput.bench.ts`.
 * Not a test (no assertions, not picked up by vitest). It prints ops/s for the envelope
 * operations the KMS does per release, and, for scale, the floor set by the same primitives
 * called directly through node:crypto (X25519 keygen + DH, HKDF, ChaCha20-Poly1305), which
 * is roughly what @hpke/core's WebCrypto round-trips cost on top.
 */
import {
  createCipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
} from "node:crypto";
import { utf8 } from "../../core/bytes";
import { generateAgentKeyPair, openFromKms, sealToAgent } from "../../core/crypto/hpke";
import { deriveDiskKey } from "../../core/crypto/keyDerivation";
import { keyRequestReportData } from "../../core/crypto/keyRequestBinding";
import { sealInfo } from "../../core/crypto/sealInfo";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

async function measure(name: string, run: () => Promise<unknown> | unknown, concurrency = 1): Promise<void> {
  for (let i = 0; i < 200; i++) await run(); // warm-up
  const deadline = performance.now() + SECONDS * 1000;
  let count = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await run();
        count++;
      }
    }),
  );
  const perSecond = (count / (performance.now() - start)) * 1000;
  console.log(`${name.padEnd(58)} ${perSecond.toFixed(0).padStart(8)} ops/s`);
}

async function main(): Promise<void> {
  const agent = await generateAgentKeyPair();
  const diskKey = new Uint8Array(32).fill(7);
  const info = sealInfo({
    chainId: 84532,
    appRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    appId: new Uint8Array(20).fill(1),
    instanceId: new Uint8Array(20).fill(2),
    logIndex: 12345,
  });
  const sealed = await sealToAgent(agent.publicKey, diskKey, info);
  const root = new Uint8Array(32).fill(9);
  const context = { chainId: 84532, contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3", appId: new Uint8Array(20), instanceId: new Uint8Array(20), epoch: 0 } as const;

  await measure("sealToAgent (@hpke/core), sequential", () => sealToAgent(agent.publicKey, diskKey, info));
  await measure("sealToAgent (@hpke/core), 64 in flight", () => sealToAgent(agent.publicKey, diskKey, info), 64);
  await measure("openFromKms (@hpke/core), sequential", () => openFromKms(agent, sealed, info));
  await measure("generateAgentKeyPair", () => generateAgentKeyPair());
  await measure("deriveDiskKey", () => deriveDiskKey(root, context));
  await measure("keyRequestReportData", () => keyRequestReportData(diskKey, agent.publicKey));

  const spkiPrefix = Buffer.from("302a300506032b656e032100", "hex");
  await measure("primitive floor via node:crypto (not HPKE), sequential", () => {
    const ephemeral = generateKeyPairSync("x25519");
    const recipient = createPublicKey({ key: Buffer.concat([spkiPrefix, agent.publicKey]), format: "der", type: "spki" });
    const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
    const okm = Buffer.from(hkdfSync("sha256", shared, utf8("salt"), info, 44));
    const cipher = createCipheriv("chacha20-poly1305", okm.subarray(0, 32), okm.subarray(32, 44), { authTagLength: 16 });
    cipher.update(diskKey);
    cipher.final();
    cipher.getAuthTag();
  });
}

void main();
