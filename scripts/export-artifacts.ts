/**
 * Copies the ABI and creation bytecode of the deployable contracts from Hardhat's
 * artifacts into `core/contracts/generated/`, as typed constants for viem. The services
 * and the CLI import these, so they run without a Hardhat build. A contract test
 * (`test/contracts/GeneratedArtifacts.test.ts`) fails when they drift from the sources.
 *
 * Usage: npx hardhat compile && npx tsx scripts/export-artifacts.ts
 */
import fs from "node:fs";
import path from "node:path";
import { renderArtifactModule, DEPLOYABLE_CONTRACTS } from "../core/contracts/artifactModule";

const root = path.resolve(__dirname, "..");

for (const name of DEPLOYABLE_CONTRACTS) {
  const artifactPath = path.join(root, "artifacts/contracts", `${name}.sol`, `${name}.json`);
  const artifact = JSON.parse(fs.readFileSync(artifactPath, "utf8")) as { abi: unknown[]; bytecode: string };
  const out = path.join(root, "core/contracts/generated", `${name}.ts`);
  fs.writeFileSync(out, renderArtifactModule(name, artifact));
  process.stdout.write(`wrote ${path.relative(root, out)}\n`);
}
