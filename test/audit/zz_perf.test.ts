import { it } from "vitest";
import { connectChain, fetchPolicyHistory, policyViewChecks, readViews, replayPolicyHistory } from "../../core/audit";
import { createRandomScenario } from "./helpers/randomScenario";
import { startTestChain } from "./helpers/testChain";
it("perf", async () => {
  const chain = await startTestChain();
  await createRandomScenario(chain, 3).run(10);
  const client = await connectChain(chain.url, chain.deployment);
  const head = await chain.client.getBlock();
  const events = await fetchPolicyHistory(client, { deployment: chain.deployment, toBlock: Number(head.number) });
  const checks = policyViewChecks(replayPolicyHistory(events), events, head.timestamp);
  const many = Array.from({ length: 20 }, () => checks).flat();
  for (let i = 0; i < 2; i++) { const t = performance.now(); await readViews(client, chain.deployment, many, Number(head.number)); console.log("checks", many.length, (performance.now() - t).toFixed(0), "ms"); }
  // single eth_call timing
  let t = performance.now();
  for (let i = 0; i < 20; i++) await client.readContract({ address: chain.deployment.contracts.AppRegistry.address as any, abi: (await import("../../core/contracts/generated/AppRegistry")).appRegistryAbi, functionName: "appCount", blockNumber: head.number });
  console.log("20 single eth_calls", (performance.now() - t).toFixed(0));
  t = performance.now();
  for (let i = 0; i < 20; i++) await client.readContract({ address: chain.deployment.contracts.AppRegistry.address as any, abi: (await import("../../core/contracts/generated/AppRegistry")).appRegistryAbi, functionName: "appCount" });
  console.log("20 single eth_calls latest", (performance.now() - t).toFixed(0));
  await chain.stop();
}, 120000);
