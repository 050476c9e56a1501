/**
 * Gas guards on the hot paths, measured exactly as `npm run gas` measures them
 * (test/contracts/helpers/gasTable.ts). The approval target (about 50k, a plain allowlist
 * write) is not met; see docs/contracts-app-registry.md, "Gas". These guards keep the figures from
 * drifting up: a change that costs more must change them on purpose.
 */
import { expect } from "chai";
import { CHECKPOINT_TARGET, measureGasTable, renderGasTableText, type GasRow } from "./helpers/gasTable";

function row(rows: GasRow[], prefix: string): bigint {
  const found = rows.find((candidate) => candidate.transaction.startsWith(prefix));
  if (!found) throw new Error(`no gas row starts with ${prefix}`);
  return found.gasUsed;
}

describe("gas", () => {
  let rows: GasRow[];

  before(async () => {
    rows = await measureGasTable();
    console.log(renderGasTableText(rows).replace(/^/gm, "      "));
  });

  it("records a checkpoint for at most 60k gas, first or later", () => {
    expect(row(rows, "`checkpoint`, first")).to.be.lte(CHECKPOINT_TARGET);
    expect(row(rows, "`checkpoint`, a later")).to.be.lte(CHECKPOINT_TARGET);
  });

  it("keeps a single signer's own approval within 10k gas of a plain allowlist write", () => {
    const baseline = row(rows, "baseline");
    expect(row(rows, "`approveRelease`, k = 1, sent by the signer") - baseline).to.be.lessThan(10_000n);
  });

  it("makes the signer's own approval cheaper than a relayed one-signature approval", () => {
    expect(row(rows, "`approveRelease`, k = 1, sent by the signer")).to.be.lessThan(
      row(rows, "`approveRelease`, k = 1, relayed"),
    );
  });

  it("keeps a relayed single-signature approval within 20k gas of a plain allowlist write", () => {
    expect(row(rows, "`approveRelease`, k = 1, relayed") - row(rows, "baseline")).to.be.lessThan(20_000n);
  });
});
