import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Address, PublicClient } from "viem";
import { connectPublicClient, walletClientFor } from "../../core/chain/clients";
import { deployBasekms } from "../../core/chain/deploy";
import { writeDeployment, type Deployment } from "../../core/chain/deployment";
import { freeLoopbackPort, startHardhatNode, type HardhatNode } from "../../core/chain/hardhatNode";
import { main } from "../../cli/main";
import { DEV_ACCOUNTS } from "./maintainerFixtures";

/**
 * A real Hardhat node on loopback with both contracts deployed (governance: dev account 0), a
 * deployment file in a temporary directory, and the CLI run in-process through `main(argv)`
 * with stdout and stderr captured.
 */
export interface MaintainerChain {
  node: HardhatNode;
  publicClient: PublicClient;
  deployment: Deployment;
  deploymentFile: string;
  dir: string;
  /** `--rpc <url> --deployment <file>` */
  chainFlags: string[];
  appRegistry: Address;
  platformPolicy: Address;
  increaseTime(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startMaintainerChain(): Promise<MaintainerChain> {
  const node = await startHardhatNode({ port: await freeLoopbackPort() });
  try {
    const publicClient = await connectPublicClient(node.url);
    const deployer = DEV_ACCOUNTS[0];
    if (!deployer) throw new Error("no dev account");
    const walletClient = Object.assign(walletClientFor(publicClient, deployer, node.url), { account: deployer });
    const deployment = await deployBasekms({ publicClient, walletClient });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-maintainer-"));
    const deploymentFile = writeDeployment(dir, deployment);
    return {
      node,
      publicClient,
      deployment,
      deploymentFile,
      dir,
      chainFlags: ["--rpc", node.url, "--deployment", deploymentFile],
      appRegistry: deployment.contracts.AppRegistry.address as Address,
      platformPolicy: deployment.contracts.PlatformPolicy.address as Address,
      increaseTime: async (seconds) => {
        await publicClient.request({ method: "evm_increaseTime", params: [seconds] } as never);
        await publicClient.request({ method: "evm_mine", params: [] } as never);
      },
      stop: async () => {
        await node.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `basekms <args>` in this process, capturing its output. */
export async function runCli(args: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const code = await main(["node", "basekms", ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
    process.exitCode = undefined;
  }
}

/** The `--json` output; fails with the run's output when it is not JSON. */
export function jsonOf(run: CliRun): Record<string, any> {
  try {
    return JSON.parse(run.stdout) as Record<string, any>;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

export function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

