import fs from "node:fs";
import path from "node:path";
import { Type, type Static } from "typebox";
import { Value } from "typebox/value";
import { UsageError } from "../errors";

/**
 * `deployments/<chainId>.json`: where the contracts live and from which block their
 * history starts. The KMS, the indexer, the audit CLI and the maintainer CLI all read
 * this one file; nothing else names contract addresses.
 */
const Address = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" });
const Hash = Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" });

const DeployedContract = Type.Object({
  address: Address,
  blockNumber: Type.Integer({ minimum: 0 }),
  blockHash: Hash,
  transactionHash: Hash,
});

export const DeploymentSchema = Type.Object({
  chainId: Type.Integer({ minimum: 1 }),
  deployer: Address,
  governance: Address,
  deployedAt: Type.String(),
  contracts: Type.Object({
    AppRegistry: DeployedContract,
    PlatformPolicy: DeployedContract,
  }),
});

export type Deployment = Static<typeof DeploymentSchema>;
export type DeployedContractInfo = Static<typeof DeployedContract>;

export function parseDeployment(text: string, source = "deployment"): Deployment {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError("CONFIG_INVALID", `${source} is not JSON`, { cause: error });
  }
  if (!Value.Check(DeploymentSchema, value)) {
    const first = Value.Errors(DeploymentSchema, value)[0];
    const where = first ? `${first.instancePath || "/"}: ${first.message}` : "invalid";
    throw new UsageError("CONFIG_INVALID", `${source} is not a basekms deployment file (${where})`);
  }
  return value;
}

export function readDeployment(file: string): Deployment {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError("CONFIG_INVALID", `cannot read deployment file ${file}`, { cause: error });
  }
  return parseDeployment(text, file);
}

/** Writes `<dir>/<chainId>.json` and returns its path. */
export function writeDeployment(dir: string, deployment: Deployment): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${deployment.chainId}.json`);
  fs.writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return file;
}

/** The lowest block any basekms event can be in: where a sync or replay starts. */
export function deploymentStartBlock(deployment: Deployment): number {
  return Math.min(deployment.contracts.AppRegistry.blockNumber, deployment.contracts.PlatformPolicy.blockNumber);
}
