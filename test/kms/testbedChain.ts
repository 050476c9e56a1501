/**
 * Test bed for the KMS tests: a real Hardhat node on loopback with the contracts deployed,
 * governance and maintainer actions through viem with Hardhat's dev accounts, and a TCP
 * proxy in front of the RPC that a test can take down (to see the KMS fail closed).
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { type Address, createPublicClient, createWalletClient, type Hex, http, type PublicClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { chainFor } from "../../core/chain/clients";
import { deployBasekms } from "../../core/chain/deploy";
import { writeDeployment, type Deployment } from "../../core/chain/deployment";
import { type HardhatNode, freeLoopbackPort, startHardhatNode } from "../../core/chain/hardhatNode";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { appRegistryDomain, releaseTypes } from "../../core/contracts/typedData";

const MNEMONIC = "test test test test test test test test test test test junk";
export const devAccount = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });

export interface RpcProxy {
  url: string;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy; while down, it refuses and drops every connection. */
export async function startRpcProxy(targetPort: number): Promise<RpcProxy> {
  let down = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setDown: (value) => {
      down = value;
      if (value) for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface TestChain {
  node: HardhatNode;
  proxy: RpcProxy;
  /** The RPC through the proxy: what the KMS uses. */
  rpcUrl: string;
  client: PublicClient;
  deployment: Deployment;
  deploymentFile: string;
  tempDir: string;
  appRegistry: Address;
  platformPolicy: Address;
  mine(blocks?: number): Promise<void>;
  increaseTime(seconds: number): Promise<void>;
  governance: {
    allowPlatform(platformHash: Uint8Array | Hex, allowed?: boolean): Promise<void>;
    setTcbMask(mask: number): Promise<void>;
    allowKmsMeasurement(measurement: Uint8Array | Hex, allowed?: boolean): Promise<void>;
    registerKmsIdentity(kms: Address, quoteHash: Uint8Array | Hex, measurement: Uint8Array | Hex): Promise<void>;
    removeKmsIdentity(kms: Address): Promise<void>;
  };
  apps: {
    register(signerIndexes: number[], threshold: number, noticePeriod: number): Promise<Hex>;
    /** k signers approve: the first submits, the others sign EIP-712 `Release`. */
    approve(appId: Hex, composeHash: Uint8Array | Hex, signerIndexes: number[]): Promise<void>;
    revoke(appId: Hex, composeHash: Uint8Array | Hex, signerIndex: number): Promise<void>;
  };
  stop(): Promise<void>;
}

const hex = (value: Uint8Array | Hex): Hex => (typeof value === "string" ? value : `0x${Buffer.from(value).toString("hex")}`);

export async function startTestChain(): Promise<TestChain> {
  const node = await startHardhatNode({ port: await freeLoopbackPort() });
  const proxy = await startRpcProxy(node.port);
  const chain = chainFor(31337, node.url);
  const client = createPublicClient({ chain, transport: http(node.url) }) as PublicClient;
  const wallet = (index: number) => createWalletClient({ account: devAccount(index), chain, transport: http(node.url) });
  const governor = wallet(0);
  const deployment = await deployBasekms({ publicClient: client, walletClient: governor });
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-kms-"));
  const deploymentFile = writeDeployment(path.join(tempDir, "deployments"), deployment);
  const appRegistry = deployment.contracts.AppRegistry.address as Address;
  const platformPolicy = deployment.contracts.PlatformPolicy.address as Address;

  const send = async (index: number, address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[]) => {
    const { request, result } = await client.simulateContract({ address, abi, functionName, args, account: devAccount(index) } as never);
    const hash = await wallet(index).writeContract(request as never);
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
    return result as unknown;
  };
  const policyCall = (functionName: string, args: readonly unknown[]) => send(0, platformPolicy, platformPolicyAbi, functionName, args);

  return {
    node,
    proxy,
    rpcUrl: proxy.url,
    client,
    deployment,
    deploymentFile,
    tempDir,
    appRegistry,
    platformPolicy,
    mine: async (blocks = 1) => {
      await client.request({ method: "hardhat_mine" as never, params: [`0x${blocks.toString(16)}`] as never });
    },
    increaseTime: async (seconds) => {
      await client.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
      await client.request({ method: "evm_mine" as never, params: [] as never });
    },
    governance: {
      allowPlatform: async (platformHash, allowed = true) => void (await policyCall("setPlatformAllowed", [hex(platformHash), allowed])),
      setTcbMask: async (mask) => void (await policyCall("setAllowedTcbStatuses", [mask])),
      allowKmsMeasurement: async (measurement, allowed = true) => void (await policyCall("setKmsMeasurementAllowed", [hex(measurement), allowed])),
      registerKmsIdentity: async (kms, quoteHash, measurement) => void (await policyCall("registerKmsIdentity", [kms, hex(quoteHash), hex(measurement)])),
      removeKmsIdentity: async (kms) => void (await policyCall("removeKmsIdentity", [kms])),
    },
    apps: {
      register: async (signerIndexes, threshold, noticePeriod) => {
        const signers = signerIndexes.map((index) => devAccount(index).address);
        return (await send(0, appRegistry, appRegistryAbi, "registerApp", [signers, threshold, BigInt(noticePeriod)])) as Hex;
      },
      approve: async (appId, composeHash, signerIndexes) => {
        const [submitter, ...cosigners] = signerIndexes as [number, ...number[]];
        const [, , nonce] = (await client.readContract({ address: appRegistry, abi: appRegistryAbi, functionName: "getRelease", args: [appId, hex(composeHash)] })) as readonly [bigint, bigint, number];
        const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600 * 24 * 365);
        const message = { appId, composeHash: hex(composeHash), metadataDigest: `0x${"00".repeat(32)}` as Hex, nonce, deadline };
        const domain = appRegistryDomain(31337, appRegistry);
        const signatures = await Promise.all(
          cosigners.map(async (index) => ({
            signer: devAccount(index).address,
            signature: await devAccount(index).signTypedData({ domain, types: releaseTypes, primaryType: "Release", message }),
          })),
        );
        signatures.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
        await send(submitter, appRegistry, appRegistryAbi, "approveRelease", [appId, message.composeHash, message.metadataDigest, deadline, signatures]);
      },
      revoke: async (appId, composeHash, signerIndex) => void (await send(signerIndex, appRegistry, appRegistryAbi, "revokeRelease", [appId, hex(composeHash)])),
    },
    stop: async () => {
      await proxy.close();
      await node.stop();
      fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
