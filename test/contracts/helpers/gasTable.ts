/**
 * Measures the gas of the contracts' hot paths on fresh deployments, for `npm run gas`
 * (scripts/gas.ts) and the gas test (test/contracts/Gas.test.ts), so both report the same numbers.
 * Every figure is a whole transaction's `gasUsed`: the 21,000 base cost, calldata and execution.
 * Signatures come from the same helpers the contract tests use.
 */
import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import type { AppRegistry, PlainAllowlist, PlatformPolicy } from "../../../typechain-types";
import { ONE_DAY, label, registerApp, registryDomain, releaseBundle, sortAccounts } from "./appRegistry";
import { KMS_MEASUREMENT, checkpointDomain, signCheckpoint, testHash } from "./platformPolicy";

/** The targets: a single-signer approval about as cheap as a plain allowlist write, a checkpoint ≤ 60k. */
export const APPROVAL_TARGET = 50_000n;
export const CHECKPOINT_TARGET = 60_000n;

export interface GasRow {
  transaction: string;
  gasUsed: bigint;
  /** The most this transaction may cost, when the issue sets a target for it. */
  target?: bigint;
}

async function gasOf(pending: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await pending).wait();
  if (!receipt) throw new Error("transaction has no receipt");
  return receipt.gasUsed;
}

async function releaseDeadline(): Promise<bigint> {
  const block = await ethers.provider.getBlock("latest");
  if (!block) throw new Error("no latest block");
  return BigInt(block.timestamp + 3600);
}

/** Deploys AppRegistry, PlatformPolicy and the PlainAllowlist baseline, and measures each row. */
export async function measureGasTable(): Promise<GasRow[]> {
  const accounts = await ethers.getSigners();
  const [governance, relayer, kms, ...rest] = accounts;
  const signers = sortAccounts(rest.slice(0, 3));
  const [first, second, third] = signers;
  if (!governance || !relayer || !kms || !first || !second || !third) throw new Error("need at least 6 accounts");

  const registry = (await ethers.deployContract("AppRegistry")) as unknown as AppRegistry;
  const policy = (await ethers.deployContract("PlatformPolicy", [governance.address])) as unknown as PlatformPolicy;
  const allowlist = (await ethers.deployContract("PlainAllowlist")) as unknown as PlainAllowlist;
  const domain = await registryDomain(registry);
  const composeHash = label("gas: app-compose");
  const metadataDigest = label("gas: commit, image digests, release tag");
  const addresses = signers.map((signer) => signer.address);

  // The registry's first app also pays for the app counter's first write (about 17k): measure a
  // registration on a registry that already has apps, as almost every registration is.
  await registerApp(registry, [first.address], 1, ONE_DAY);

  const rows: GasRow[] = [];
  rows.push({
    transaction: "`registerApp`, 1 signer",
    gasUsed: await gasOf(registry.connect(relayer).registerApp([first.address], 1, ONE_DAY)),
  });
  rows.push({
    transaction: "`registerApp`, 3 signers (k = 2)",
    gasUsed: await gasOf(registry.connect(relayer).registerApp(addresses, 2, ONE_DAY)),
  });

  const soloApp = await registerApp(registry, [first.address], 1, ONE_DAY);
  const bySelf = await releaseDeadline();
  rows.push({
    transaction: "`approveRelease`, k = 1, sent by the signer (no signature)",
    gasUsed: await gasOf(registry.connect(first).approveRelease(soloApp, composeHash, metadataDigest, bySelf, [])),
    target: APPROVAL_TARGET,
  });

  const relayedApp = await registerApp(registry, [first.address], 1, ONE_DAY);
  const relayed = { appId: relayedApp, composeHash, metadataDigest, nonce: 0, deadline: await releaseDeadline() };
  const relayedBundle = await releaseBundle([first], domain, relayed);
  rows.push({
    transaction: "`approveRelease`, k = 1, relayed (1 signature)",
    gasUsed: await gasOf(
      registry.connect(relayer).approveRelease(relayedApp, composeHash, metadataDigest, relayed.deadline, relayedBundle),
    ),
    target: APPROVAL_TARGET,
  });

  const groupApp = await registerApp(registry, addresses, 2, ONE_DAY);
  const group = { appId: groupApp, composeHash, metadataDigest, nonce: 0, deadline: await releaseDeadline() };
  const groupBundle = await releaseBundle([first, third], domain, group);
  rows.push({
    transaction: "`approveRelease`, k = 2 of 3, relayed (2 signatures)",
    gasUsed: await gasOf(
      registry.connect(relayer).approveRelease(groupApp, composeHash, metadataDigest, group.deadline, groupBundle),
    ),
  });
  rows.push({
    transaction: "`revokeRelease`",
    gasUsed: await gasOf(registry.connect(second).revokeRelease(groupApp, composeHash)),
  });

  await (await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true)).wait();
  await (await policy.connect(governance).registerKmsIdentity(kms.address, testHash("gas: quote"), KMS_MEASUREMENT)).wait();
  const anchorDomain = await checkpointDomain(policy);
  const checkpoint = async (treeSize: bigint, rootHash: string) =>
    gasOf(policy.connect(relayer).checkpoint(treeSize, rootHash, await signCheckpoint(kms, anchorDomain, treeSize, rootHash)));
  rows.push({
    transaction: "`checkpoint`, first for a KMS identity",
    gasUsed: await checkpoint(1n, testHash("gas: root 1")),
    target: CHECKPOINT_TARGET,
  });
  rows.push({
    transaction: "`checkpoint`, a later one (tree size 1,000,000)",
    gasUsed: await checkpoint(1_000_000n, testHash("gas: root 1000000")),
    target: CHECKPOINT_TARGET,
  });

  rows.push({
    transaction: "baseline: `PlainAllowlist.allow` (no signature, no timelock)",
    gasUsed: await gasOf(allowlist.connect(relayer).allow(soloApp, label("gas: baseline compose"))),
  });
  return rows;
}

/** "PASS", "MISS", or "" for a row without a target. */
export function targetMark(row: GasRow): string {
  if (row.target === undefined) return "";
  return row.gasUsed <= row.target ? "PASS" : "MISS";
}

function grouped(value: bigint): string {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The table for a terminal: aligned columns. */
export function renderGasTableText(rows: GasRow[]): string {
  const cells = rows.map((row) => [
    row.transaction.replaceAll("`", ""),
    grouped(row.gasUsed),
    row.target === undefined ? "" : `≤ ${grouped(row.target)}`,
    targetMark(row),
  ]);
  const header = ["transaction", "gasUsed", "target", ""];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]!.length)));
  const line = (cell: string[]) =>
    cell
      .map((text, column) => (column === 1 ? text.padStart(widths[column]!) : text.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...cells.map(line)].join("\n");
}

/** The same table as Markdown, to paste into the README. */
export function renderGasTableMarkdown(rows: GasRow[]): string {
  const lines = ["| Transaction | gasUsed | Target |", "| --- | ---: | --- |"];
  for (const row of rows) {
    const target = row.target === undefined ? "" : `≤ ${grouped(row.target)} ${targetMark(row)}`;
    lines.push(`| ${row.transaction} | ${grouped(row.gasUsed)} | ${target} |`);
  }
  return lines.join("\n");
}
