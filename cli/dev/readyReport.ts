import type { Address, Hex } from "viem";
import type { DemoResult } from "./demo/demoResult";
import { seconds } from "./narrator";
import { devUrls, renderTryNext, renderUrls, tryNext, type DevUrls, type TryNext } from "./nextSteps";
import type { DevStack } from "./startDevStack";

/**
 * What `basekms dev` reports once ready: for people, the time to ready, the URLs and what to try
 * next; for machines (`--json`), one object with the same and the demo's result.
 */
export interface ReadyFacts {
  stack: DevStack;
  demo: DemoResult | undefined;
  demoFailure: string | undefined;
  /** Milliseconds since process start. */
  stackReadyMs: number;
  readyMs: number;
  exitAfterDemo: boolean;
}

export interface ReadySummary {
  ok: boolean;
  readyMs: number;
  stackReadyMs: number;
  chainId: number;
  urls: DevUrls;
  kms: { url: string; identity: Address; measurement: Hex };
  indexerUrl: string;
  deploymentFile: string;
  contracts: { AppRegistry: Address; PlatformPolicy: Address };
  dataDir: string;
  pids: { dev: number; hardhatNode: number };
  demo: DemoResult | null;
  demoFailure: string | null;
  tryNext: TryNext;
}

export function readySummary(facts: ReadyFacts): ReadySummary {
  const { stack } = facts;
  return {
    ok: facts.demoFailure === undefined,
    readyMs: Math.round(facts.readyMs),
    stackReadyMs: Math.round(facts.stackReadyMs),
    chainId: stack.chainId,
    urls: devUrls(stack),
    kms: { url: stack.kms.url, identity: stack.kms.identity.address, measurement: stack.kmsRegistration.measurement },
    indexerUrl: stack.indexerUrl,
    deploymentFile: stack.deploymentFile,
    contracts: { AppRegistry: stack.deployment.contracts.AppRegistry.address as Address, PlatformPolicy: stack.deployment.contracts.PlatformPolicy.address as Address },
    dataDir: stack.layout.root,
    pids: { dev: process.pid, hardhatNode: stack.hardhatPid },
    demo: facts.demo ?? null,
    demoFailure: facts.demoFailure ?? null,
    tryNext: tryNext(stack, facts.demo),
  };
}

export function renderReady(facts: ReadyFacts, summary: ReadySummary): string[] {
  const demoTime = facts.demo ? `, demo ${seconds(facts.demo.durationMs)}` : "";
  return [
    "",
    `ready ${seconds(facts.readyMs)} after start (stack ${seconds(facts.stackReadyMs)}${demoTime})${facts.demoFailure ? "  — with the demo FAILED, see above" : ""}`,
    "",
    ...renderUrls(summary.urls),
    "",
    ...renderTryNext(summary.tryNext),
    "",
    `More: docs/demo.md. ${facts.exitAfterDemo ? "Stopping (--exit-after-demo)." : "Press Ctrl-C to stop everything."}`,
  ];
}
