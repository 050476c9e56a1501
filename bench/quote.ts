/**
 * `npm run bench:quote`: throughput of full TDX quote verification on one core.
 *
 * Verifies one real v4 quote (vectors set S1, dcap-qvl/tdx_quote, at its fixed `now`) again
 * and again with a warm QuoteVerifierCache (collateral signatures and certificate chains
 * cached), then runs @phala/dcap-qvl 0.3.9 on the same quote, collateral and `now`, and
 * prints both and the ratio. Both verifiers must agree on the TCB status before anything
 * is timed. Targets (issue 3): at least 5,000 verifications/s, and at least 20× dcap-qvl.
 * Exit code 0 when both targets are met, 1 otherwise.
 *
 * Each call gets the raw quote bytes, so parsing is part of every measured verification.
 * Options: --seconds <n> (default 3), --qvl-calls <n> (default 100).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { verify as dcapQvlVerify } from "@phala/dcap-qvl";
import { parseCollateralJson } from "../core/attestation/collateral";
import { QuoteVerifierCache, verifyQuote } from "../core/attestation/verifyQuote";

const VECTORS_DIR = process.env["BASEKMS_VECTORS_DIR"] ?? path.resolve(__dirname, "../../shared/tdx-vectors");
const QUOTE_FILE = "dcap-qvl/tdx_quote";
const COLLATERAL_FILE = "dcap-qvl/tdx_quote_collateral.json";
const ROOT_FILE = "intel-root-ca/TrustedRootCA.der";
/** README set S1: min(nextUpdate) − 1, dcap-qvl's own test time. */
const NOW = 1752919234;

const TARGET_PER_SECOND = 5_000;
const TARGET_RATIO = 20;
const WARM_UP_CALLS = 200;
const QVL_WARM_UP_CALLS = 2;

function readVector(relative: string): Buffer {
  return readFileSync(path.join(VECTORS_DIR, relative));
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function percentile(sorted: Float64Array, fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

function summary(samplesMicros: number[]): { mean: number; p50: number; p99: number } {
  const sorted = Float64Array.from(samplesMicros).sort();
  const mean = samplesMicros.reduce((sum, value) => sum + value, 0) / samplesMicros.length;
  return { mean, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

function micros(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1_000;
}

function main(): number {
  const seconds = option("--seconds", 3);
  const qvlCalls = option("--qvl-calls", 100);
  const quoteBytes = new Uint8Array(readVector(QUOTE_FILE));
  const collateralText = readVector(COLLATERAL_FILE).toString("utf8");
  const collateral = parseCollateralJson(collateralText);
  const collateralJson = JSON.parse(collateralText) as Parameters<typeof dcapQvlVerify>[1];
  const trustedRoots = [new Uint8Array(readVector(ROOT_FILE))];
  const cache = new QuoteVerifierCache();
  const ours = () => verifyQuote({ quote: quoteBytes, collateral, now: NOW, trustedRoots, cache });
  const theirs = () => dcapQvlVerify(quoteBytes, collateralJson, NOW);

  // Agreement first: timing a verifier that says something else would be meaningless.
  const ourStatus = ours().status;
  const theirStatus = theirs().status;
  if (ourStatus !== "UpToDate" || theirStatus !== "UpToDate") {
    process.stderr.write(`status disagreement: basekms ${ourStatus}, @phala/dcap-qvl ${theirStatus} (expected UpToDate)\n`);
    return 1;
  }

  for (let i = 0; i < WARM_UP_CALLS; i++) ours();
  const samples: number[] = [];
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const runStart = process.hrtime.bigint();
  for (;;) {
    const start = process.hrtime.bigint();
    ours();
    samples.push(micros(start));
    if (process.hrtime.bigint() >= deadline) break;
  }
  const elapsedSeconds = micros(runStart) / 1e6;
  const ourRate = samples.length / elapsedSeconds;
  const ourStats = summary(samples);

  for (let i = 0; i < QVL_WARM_UP_CALLS; i++) theirs();
  const qvlSamples: number[] = [];
  for (let i = 0; i < qvlCalls; i++) {
    const start = process.hrtime.bigint();
    theirs();
    qvlSamples.push(micros(start));
  }
  const qvlStats = summary(qvlSamples);
  const qvlRate = 1e6 / qvlStats.mean;
  const ratio = ourRate / qvlRate;

  const fixed = (value: number, digits = 1) => value.toFixed(digits);
  const lines = [
    `quote: ${QUOTE_FILE} (v4, ${quoteBytes.length} bytes), now ${NOW}, status ${ourStatus} (both verifiers)`,
    `basekms verifyQuote (warm cache): ${samples.length} verifications in ${fixed(elapsedSeconds, 2)} s = ${fixed(ourRate, 0)}/s; ` +
      `mean ${fixed(ourStats.mean)} µs, p50 ${fixed(ourStats.p50)} µs, p99 ${fixed(ourStats.p99)} µs`,
    `@phala/dcap-qvl 0.3.9: ${qvlCalls} verifications; mean ${fixed(qvlStats.mean / 1000, 2)} ms, ` +
      `p50 ${fixed(qvlStats.p50 / 1000, 2)} ms, p99 ${fixed(qvlStats.p99 / 1000, 2)} ms = ${fixed(qvlRate, 0)}/s`,
    `ratio: ${fixed(ratio, 1)}× @phala/dcap-qvl`,
    `target ≥ ${TARGET_PER_SECOND}/s: ${ourRate >= TARGET_PER_SECOND ? "met" : "MISSED"}`,
    `target ≥ ${TARGET_RATIO}× @phala/dcap-qvl: ${ratio >= TARGET_RATIO ? "met" : "MISSED"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return ourRate >= TARGET_PER_SECOND && ratio >= TARGET_RATIO ? 0 : 1;
}

process.exitCode = main();
