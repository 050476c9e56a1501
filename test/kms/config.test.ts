import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARDHAT_DEV_PRIVATE_KEY } from "../../core/chain/clients";
import { type Deployment, writeDeployment } from "../../core/chain/deployment";
import { type HardhatNode, freeLoopbackPort, startHardhatNode } from "../../core/chain/hardhatNode";
import { UsageError } from "../../core/errors";
import { loadKmsConfig } from "../../kms/config";
import { KmsError } from "../../kms/errors";
import { startKms } from "../../kms/server";
import { checkStaticConfig } from "../../kms/startupChecks";
import { silentLogger } from "./testbedKms";

/** `loadKmsConfig` (parsed once, frozen, errors name the setting) and every refusal to start. */
let tempDir: string;
let node: HardhatNode;

function deploymentFile(chainId: number, addresses: { AppRegistry?: string; PlatformPolicy?: string } = {}): string {
  const contract = (address: string) => ({ address, blockNumber: 0, blockHash: `0x${"00".repeat(32)}`, transactionHash: `0x${"00".repeat(32)}` });
  const deployment: Deployment = {
    chainId,
    deployer: `0x${"11".repeat(20)}`,
    governance: `0x${"11".repeat(20)}`,
    deployedAt: "2026-01-01T00:00:00.000Z",
    contracts: {
      AppRegistry: contract(addresses.AppRegistry ?? `0x${"a1".repeat(20)}`),
      PlatformPolicy: contract(addresses.PlatformPolicy ?? `0x${"b2".repeat(20)}`),
    },
  };
  return writeDeployment(path.join(tempDir, `deployments-${chainId}-${Math.random().toString(16).slice(2)}`), deployment);
}

function expectUsage(run: () => unknown, text: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(UsageError);
  expect((thrown as UsageError).code).toBe("CONFIG_INVALID");
  expect((thrown as Error).message).toMatch(text);
}

async function expectStartRefused(env: Record<string, string>, code: string, pathExists?: (path: string) => boolean): Promise<void> {
  const config = loadKmsConfig({ BASEKMS_DATA_DIR: fs.mkdtempSync(path.join(tempDir, "data-")), BASEKMS_PORT: "0", ...env });
  await expect(startKms(config, { logger: silentLogger(), ...(pathExists ? { pathExists } : {}) })).rejects.toSatisfy(
    (error: unknown) => error instanceof KmsError && error.code === code,
  );
}

beforeAll(async () => {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-kms-config-"));
  node = await startHardhatNode({ port: await freeLoopbackPort() });
});

afterAll(async () => {
  await node?.stop();
  fs.rmSync(tempDir, { recursive: true, force: true });
});

describe("loadKmsConfig", () => {
  it("fills documented defaults and freezes the result", () => {
    const file = deploymentFile(31337);
    const config = loadKmsConfig({ BASEKMS_DEPLOYMENT: file });
    expect(config).toMatchObject({
      network: "sandbox",
      rpcUrl: "http://127.0.0.1:8545",
      chainId: 31337,
      confirmations: 2,
      host: "127.0.0.1",
      port: 8700,
      anchorEveryEntries: 1000,
      anchorIntervalSeconds: 300,
      pccsUrl: undefined,
      rootCaCrlUrl: undefined,
      onboardFrom: undefined,
      genesis: false,
      instanceName: "kms-0",
      workers: Math.max(1, os.availableParallelism() - 1),
    });
    expect(config.anchorKey).toBe(HARDHAT_DEV_PRIVATE_KEY);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("lets each flag override its environment variable", () => {
    const config = loadKmsConfig(
      { BASEKMS_DEPLOYMENT: deploymentFile(31337), BASEKMS_PORT: "1111", BASEKMS_RPC_URL: "http://127.0.0.1:1", BASEKMS_ANCHOR_EVERY: "5" },
      { port: "2222", rpc: "http://127.0.0.1:2", anchorEvery: "7", anchorInterval: "9", confirmations: "0", host: "0.0.0.0", pccsUrl: "http://127.0.0.1:3", onboardFrom: "http://127.0.0.1:4" },
    );
    expect(config).toMatchObject({ port: 2222, rpcUrl: "http://127.0.0.1:2", anchorEveryEntries: 7, anchorIntervalSeconds: 9, confirmations: 0, host: "0.0.0.0", pccsUrl: "http://127.0.0.1:3", onboardFrom: "http://127.0.0.1:4" });
    expect(loadKmsConfig({ BASEKMS_DEPLOYMENT: deploymentFile(31337), BASEKMS_WORKERS: "3" }).workers).toBe(3);
    expect(loadKmsConfig({ BASEKMS_DEPLOYMENT: deploymentFile(31337), BASEKMS_WORKERS: "3" }, { workers: "1" }).workers).toBe(1);
  });

  it("takes a root CA CRL URL (flag over variable) only together with a PCCS URL, and only an http(s) one", () => {
    const BASEKMS_DEPLOYMENT = deploymentFile(31337);
    const BASEKMS_PCCS_URL = "https://pccs.example";
    const intel = "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";
    expect(loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_PCCS_URL, BASEKMS_ROOT_CA_CRL_URL: intel }).rootCaCrlUrl).toBe(intel);
    expect(loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_PCCS_URL, BASEKMS_ROOT_CA_CRL_URL: "https://a.example/x.der" }, { rootCaCrlUrl: intel }).rootCaCrlUrl).toBe(intel);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_ROOT_CA_CRL_URL: intel }), /BASEKMS_ROOT_CA_CRL_URL .*needs BASEKMS_PCCS_URL/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_PCCS_URL }, { rootCaCrlUrl: "file:///etc/crl.der" }), /--root-ca-crl-url must be an http\(s\) URL/);
  });

  it("names the variable or flag in every error", () => {
    const BASEKMS_DEPLOYMENT = deploymentFile(31337);
    expectUsage(() => loadKmsConfig({}), /BASEKMS_DEPLOYMENT/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT: path.join(tempDir, "missing.json") }), /cannot read deployment file/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_PORT: "http" }), /BASEKMS_PORT/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT }, { port: "70000" }), /--port/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_NETWORK: "prod" }), /BASEKMS_NETWORK/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_RPC_URL: "ftp://x" }), /BASEKMS_RPC_URL/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_CONFIRMATIONS: "-1" }), /BASEKMS_CONFIRMATIONS/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT }, { anchorEvery: "0" }), /--anchor-every/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_ANCHOR_INTERVAL: "1.5" }), /BASEKMS_ANCHOR_INTERVAL/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_LOG_LEVEL: "loud" }), /BASEKMS_LOG_LEVEL/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_GENESIS: "yes" }), /BASEKMS_GENESIS/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_NETWORK: "sealed" }), /BASEKMS_PCCS_URL/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT }, { onboardFrom: "not a url" }), /--onboard-from/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_WORKERS: "0" }), /BASEKMS_WORKERS must be at least 1/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT }, { workers: "two" }), /--workers/);
  });

  it("refuses --genesis together with --onboard-from (flags or environment), and accepts either alone", () => {
    const BASEKMS_DEPLOYMENT = deploymentFile(31337);
    const onboard = "http://127.0.0.1:4";
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT }, { genesis: true, onboardFrom: onboard }), /contradict/);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_GENESIS: "true", BASEKMS_ONBOARD_FROM: onboard }), /contradict/);
    expect(loadKmsConfig({ BASEKMS_DEPLOYMENT }, { genesis: true }).genesis).toBe(true);
    expect(loadKmsConfig({ BASEKMS_DEPLOYMENT }, { onboardFrom: onboard }).onboardFrom).toBe(onboard);
  });

  it("requires BASEKMS_ANCHOR_KEY off the local chain, and never echoes a bad key", () => {
    const BASEKMS_DEPLOYMENT = deploymentFile(84532);
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT }), /BASEKMS_ANCHOR_KEY is required on chain 84532/);
    const secretLooking = "0xnot-a-key-but-secret-material";
    expectUsage(() => loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_ANCHOR_KEY: secretLooking }), /^BASEKMS_ANCHOR_KEY must hold/);
    try {
      loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_ANCHOR_KEY: secretLooking });
    } catch (error) {
      expect((error as Error).message).not.toContain(secretLooking);
    }
    const key = `0x${"42".repeat(32)}`;
    expect(loadKmsConfig({ BASEKMS_DEPLOYMENT, BASEKMS_ANCHOR_KEY: key }).anchorKey).toBe(key);
  });
});

describe("refusals to start", () => {
  const anchorKey = { BASEKMS_ANCHOR_KEY: `0x${"42".repeat(32)}` };

  it("refuses a sandbox KMS on Base mainnet (8453) and Ethereum mainnet (1): SANDBOX_ON_PRODUCTION_CHAIN", async () => {
    for (const chainId of [8453, 1]) {
      await expectStartRefused({ BASEKMS_DEPLOYMENT: deploymentFile(chainId), ...anchorKey }, "SANDBOX_ON_PRODUCTION_CHAIN");
    }
  });

  it("refuses a sealed KMS without /dev/tdx_guest and configfs-tsm: TDX_UNAVAILABLE", async () => {
    const env = { BASEKMS_DEPLOYMENT: deploymentFile(84532), BASEKMS_NETWORK: "sealed", BASEKMS_PCCS_URL: "https://pccs.example", ...anchorKey };
    await expectStartRefused(env, "TDX_UNAVAILABLE", () => false);
    await expectStartRefused(env, "TDX_UNAVAILABLE", (file) => file === "/dev/tdx_guest"); // configfs-tsm missing
    expect(() => checkStaticConfig({ network: "sealed", chainId: 8453 }, () => true)).not.toThrow();
  });

  it("refuses contract addresses without code (eth_getCode): CONTRACT_NOT_DEPLOYED", async () => {
    await expectStartRefused({ BASEKMS_DEPLOYMENT: deploymentFile(31337), BASEKMS_RPC_URL: node.url }, "CONTRACT_NOT_DEPLOYED");
  });

  it("refuses an RPC that serves another chain than the deployment file: CHAIN_ID_MISMATCH", async () => {
    await expectStartRefused({ BASEKMS_DEPLOYMENT: deploymentFile(84532), BASEKMS_RPC_URL: node.url, ...anchorKey }, "CHAIN_ID_MISMATCH");
  });

  it("refuses an RPC that does not answer: RPC_UNREACHABLE", async () => {
    const port = await freeLoopbackPort();
    await expectStartRefused({ BASEKMS_DEPLOYMENT: deploymentFile(31337), BASEKMS_RPC_URL: `http://127.0.0.1:${port}` }, "RPC_UNREACHABLE");
  });
});
