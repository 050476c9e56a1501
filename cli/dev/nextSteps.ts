import fs from "node:fs";
import path from "node:path";
import { deploymentStartBlock } from "../../core/chain/deployment";
import type { DemoResult } from "./demo/demoResult";
import { DEV_ROLES, devAccount, devPrivateKey } from "./devAccounts";
import { EXAMPLES_DIR } from "./demo/demoBuilds";
import { displayPath } from "./narrator";
import type { DevStack } from "./startDevStack";

/**
 * What `basekms dev` prints once it is ready: the URLs, and commands that work against this
 * stack. Commands take the chain, deployment and KMS from three exported variables, which the
 * audit and maintainer commands read (docs/auditor-guide.md, docs/maintainers.md).
 */
export interface DevUrls {
  rpc: string;
  kmsHealth: string;
  kmsDocs: string;
  indexerPage: string;
  indexerDocs: string;
  socialApi: string;
}

export function devUrls(stack: DevStack): DevUrls {
  return {
    rpc: stack.rpcUrl,
    kmsHealth: `${stack.kms.url}/health`,
    kmsDocs: `${stack.kms.url}/docs`,
    indexerPage: `${stack.indexerUrl}/`,
    indexerDocs: `${stack.indexerUrl}/docs`,
    socialApi: stack.socialApi.url,
  };
}

export interface TryNextCommand {
  what: string;
  /** Arguments after `basekms`; run with `TryNext.env` exported. */
  argv: string[];
  /** 0 when it should succeed; 1 when the point is a refusal. */
  expectedExitCode: 0 | 1;
}

export interface TryNext {
  env: Record<string, string>;
  commands: TryNextCommand[];
  /** Hardhat's public dev keys of Alice, Bob and Carol (mode 0600), for `release sign|submit|revoke --key-env`. */
  maintainersEnv: string;
}

export function tryNext(stack: DevStack, demo: DemoResult | undefined): TryNext {
  const env = { BASEKMS_RPC_URL: stack.rpcUrl, BASEKMS_DEPLOYMENT: displayPath(stack.deploymentFile), BASEKMS_KMS_URL: stack.kms.url };
  const commands: TryNextCommand[] = [];
  if (demo) {
    commands.push(
      { what: "the app: its three signers, and its release, now REVOKED", argv: ["app", "show", demo.appId], expectedExitCode: 0 },
      { what: "check the KMS's release log against the chain, trusting neither", argv: ["audit", "log"], expectedExitCode: 0 },
      {
        what: "which code could get the app's key in these blocks, and how many instances did",
        argv: ["audit", "report", "--app", demo.appId, "--from", String(deploymentStartBlock(stack.deployment)), "--to", String(demo.audit.period.toBlock)],
        expectedExitCode: 0,
      },
      { what: "the same audit, against the indexer's mirror of the log", argv: ["audit", "log", "--kms", stack.indexerUrl], expectedExitCode: 0 },
      {
        what: "boot the direct_messages build yourself: the KMS refuses it (COMPOSE_HASH_NOT_ALLOWED)",
        argv: [
          "agent", "boot",
          "--kms", stack.kms.url,
          "--app-compose", displayPath(path.join(EXAMPLES_DIR, "social-direct-messages", "app-compose.json")),
          "--app-id", demo.appId,
          "--quote-provider", "simulator",
          "--rpc", stack.rpcUrl,
          "--deployment", env.BASEKMS_DEPLOYMENT,
          "--out", displayPath(path.join(stack.layout.agents, "direct-messages.key")),
        ], // prettier-ignore
        expectedExitCode: 1,
      },
    );
  }
  commands.push({ what: "the compose hash of the approved build, as the agent computes it", argv: ["release", "hash", displayPath(path.join(EXAMPLES_DIR, "social-watch-history", "app-compose.json"))], expectedExitCode: 0 });
  return { env, commands, maintainersEnv: displayPath(stack.layout.maintainersEnv) };
}

/** Writes the maintainers' public Hardhat dev keys (0600), so docs/maintainers.md can be followed against this stack. */
export function writeMaintainersEnv(file: string): void {
  const lines = [
    "# Hardhat's public development keys: funded on the local chain only, worthless anywhere else.",
    "# Load with: set -a; . <this file>; set +a   then pass --key-env ALICE_KEY (the variable's name, never the key).",
    ...DEV_ROLES.maintainers.map((role) => `${role.keyVariable}=${devPrivateKey(role.index)}  # ${role.name}, ${devAccount(role.index).address}`),
  ];
  fs.writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 });
}

/** Shell quoting for the printed commands (arguments here are URLs, paths and hex). */
const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);

export function renderTryNext(next: TryNext): string[] {
  const exports = Object.entries(next.env).map(([name, value]) => `${name}=${shellWord(value)}`);
  const lines = ["Try next, from this directory in another terminal:", `  export ${exports.join(" ")}`];
  for (const command of next.commands) {
    lines.push(`  # ${command.what}`, `  npx basekms ${command.argv.map(shellWord).join(" ")}`);
  }
  lines.push(
    "  # sign, submit and revoke releases as Alice, Bob and Carol: docs/maintainers.md, with their keys loaded by",
    `  set -a; . ${next.maintainersEnv}; set +a`,
  );
  return lines;
}

export function renderUrls(urls: DevUrls): string[] {
  const rows: [string, string][] = [
    ["chain RPC", urls.rpc],
    ["KMS health", urls.kmsHealth],
    ["KMS API docs", urls.kmsDocs],
    ["indexer web page", urls.indexerPage],
    ["indexer API docs", urls.indexerDocs],
    ["toy social API", urls.socialApi],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, url]) => `  ${label.padEnd(width)}  ${url}`);
}
