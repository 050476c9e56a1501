/**
 * The viem modules in core/contracts/generated/ must be exactly what scripts/export-artifacts.ts
 * renders from the current Hardhat build: the services and the CLI deploy and decode with them, so
 * a stale ABI or bytecode would silently diverge from the contracts under test.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { artifacts } from "hardhat";
import { DEPLOYABLE_CONTRACTS, renderArtifactModule } from "../../core/contracts/artifactModule";

const GENERATED_DIR = path.resolve(__dirname, "../../core/contracts/generated");

describe("generated contract artifacts", () => {
  for (const name of DEPLOYABLE_CONTRACTS) {
    it(`core/contracts/generated/${name}.ts matches the compiled ${name}`, async () => {
      const artifact = await artifacts.readArtifact(name);
      const file = path.join(GENERATED_DIR, `${name}.ts`);
      const onDisk = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      expect(onDisk === renderArtifactModule(name, artifact), `${file} is stale: run \`npm run export-artifacts\``).to.equal(
        true,
      );
    });
  }
});
