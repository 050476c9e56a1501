import path from "node:path";
import fs from "node:fs";
import { startHardhatNode, type HardhatNode } from "../../core/chain/hardhatNode";
import { deployFromConfig } from "../../core/chain/deployFromConfig";
import type { Deployment } from "../../core/chain/deployment";

/**
 * The embedded local stack behind `npm start`: a Hardhat node on loopback and the
 * deployed contracts. Everything it starts is stopped by `stop()`.
 */
export interface DevStackOptions {
  rpcPort: number;
  dataDir: string;
  log: (line: string) => void;
}

export interface DevStack {
  rpcUrl: string;
  chainId: number;
  deployment: Deployment;
  deploymentFile: string;
  stop(): Promise<void>;
}

export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  options.log(`starting Hardhat node on 127.0.0.1:${options.rpcPort} ...`);
  const node: HardhatNode = await startHardhatNode({ port: options.rpcPort });
  try {
    const { file, deployment } = await deployFromConfig({
      rpcUrl: node.url,
      confirmations: 1,
      deploymentsDir: path.join(options.dataDir, "deployments"),
    });
    return {
      rpcUrl: node.url,
      chainId: deployment.chainId,
      deployment,
      deploymentFile: file,
      stop: () => node.stop(),
    };
  } catch (error) {
    await node.stop();
    throw error;
  }
}
