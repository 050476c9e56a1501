import fs from "node:fs";
import type { Command } from "commander";
import { toHex } from "../../core/bytes";
import { UsageError } from "../../core/errors";
import { AttestationError } from "../../core/attestation/errors";
import { fetchCollateral, loadCollateralFile, type Collateral } from "../../core/attestation/collateral";
import { loadIntelSgxRootCa, parseCertificate, sgxExtensionOf, splitPemChain } from "../../core/attestation/pki";
import { decodeQuoteInput, parseQuote } from "../../core/attestation/quote";
import type { ParsedQuote } from "../../core/attestation/types";
import { verifyQuote, type QuoteVerification } from "../../core/attestation/verifyQuote";
import { platformHash } from "../../core/attestation/platformHash";
import { parseUrlSetting } from "../../core/config/env";
import { parseTimeSetting } from "../../core/config/time";
import { describeError, EXIT_FAILED, EXIT_OK, printResult, table } from "../output";

interface QuoteVerifyOptions {
  collateral: string;
  rootCaCrlUrl?: string;
  now?: string;
  eventLog?: string;
  root?: string[];
  json?: boolean;
}

export function registerQuoteCommands(program: Command): void {
  const quote = program.command("quote").description("Intel TDX DCAP quotes");
  quote
    .command("verify")
    .description(
      "Verify a TDX quote fully (PCK chain, CRLs, QE report, signatures, TCB Info, QE Identity, TCB level, TD policy). " +
        "<quote> is a file holding raw bytes, hex, JSON with a `quote` hex field (and optional `event_log`), or a JSON byte array. " +
        "Exit 0 when verified (any TCB status), 1 when refused, 2 on a usage error.",
    )
    .argument("<quote>", "quote file")
    .requiredOption("--collateral <file|pccs-url>", "collateral JSON file, or a PCCS / Intel PCS base URL")
    .option("--root-ca-crl-url <url>", "with a --collateral URL: fetch the Intel SGX Root CA CRL from here instead of <pccs-url>/sgx/certification/v4/rootcacrl")
    .option("--now <time>", "verification time: unix seconds or ISO-8601 (default: the current time)")
    .option("--event-log <file>", "RTMR3 event log (dstack JSON); replayed against the quote's RTMR3")
    .option("--root <der>", "trust this DER root instead of Intel's SGX Root CA (repeatable)", collect, [])
    .option("--json", "print one JSON object")
    .action(async (file: string, options: QuoteVerifyOptions) => {
      const now = options.now === undefined ? Math.floor(Date.now() / 1000) : parseTimeSetting("--now", options.now);
      const rootCaCrlUrl = options.rootCaCrlUrl === undefined ? undefined : parseUrlSetting("--root-ca-crl-url", options.rootCaCrlUrl);
      if (rootCaCrlUrl !== undefined && !isUrl(options.collateral)) {
        throw new UsageError("USAGE", "--root-ca-crl-url applies to a --collateral URL only (a collateral file already holds the root CA CRL)");
      }
      const quoteFile = readFileOrUsage(file, "<quote>");
      const eventLog = options.eventLog === undefined ? undefined : readJsonOrUsage(options.eventLog, "--event-log");
      const trustedRoots = options.root && options.root.length > 0 ? options.root.map((path) => readFileOrUsage(path, "--root")) : [loadIntelSgxRootCa()];
      const report = await verifyToReport({ quoteFile, eventLog, trustedRoots, now, collateralSource: options.collateral, ...(rootCaCrlUrl ? { rootCaCrlUrl } : {}) });
      printResult(options, report, () => renderReport(report));
      process.exitCode = report.ok ? EXIT_OK : EXIT_FAILED;
    });
}

/** The `--json` shape documented in the README. Hex is lowercase with no 0x. */
export interface QuoteVerifyReport {
  ok: boolean;
  status?: string;
  advisoryIds: string[];
  errorCode?: string;
  message?: string;
  quote?: {
    version: number;
    teeType: number;
    mrTd: string;
    rtmr0: string;
    rtmr1: string;
    rtmr2: string;
    rtmr3: string;
    reportData: string;
    tdAttributes: string;
    xfam: string;
    mrSignerSeam: string;
    mrConfigId: string;
    fmspc?: string;
  };
  platformHash?: string;
  events?: { appId: string; composeHash: string; instanceId: string };
}

async function verifyToReport(parameters: {
  /** The <quote> file's bytes; a file that holds no quote is a refusal (QUOTE_MALFORMED), reported like any other. */
  quoteFile: Uint8Array;
  /** From --event-log; otherwise the `event_log` member of a JSON quote file, if any. */
  eventLog: unknown;
  trustedRoots: Uint8Array[];
  now: number;
  collateralSource: string;
  rootCaCrlUrl?: string;
}): Promise<QuoteVerifyReport> {
  let parsed: ParsedQuote | undefined;
  try {
    const input = decodeQuoteInput(parameters.quoteFile);
    parsed = parseQuote(input.quote);
    const collateral = await loadCollateral(parameters.collateralSource, parsed, parameters.now, parameters.rootCaCrlUrl);
    const verification = verifyQuote({
      quote: parsed,
      collateral,
      now: parameters.now,
      trustedRoots: parameters.trustedRoots,
      eventLog: parameters.eventLog === undefined ? input.eventLog : parameters.eventLog,
    });
    return successReport(verification);
  } catch (error) {
    if (!(error instanceof AttestationError)) throw error;
    const { code, message } = describeError(error);
    return {
      ok: false,
      advisoryIds: [],
      errorCode: code,
      message,
      ...(parsed ? { quote: quoteSummary(parsed, fmspcOf(parsed)), platformHash: toHex(platformHash(parsed.body)) } : {}),
    };
  }
}

function successReport(verification: QuoteVerification): QuoteVerifyReport {
  return {
    ok: true,
    status: verification.status,
    advisoryIds: verification.advisoryIds,
    quote: quoteSummary(verification.quote, toHex(verification.pck.fmspc)),
    platformHash: toHex(verification.platformHash),
    ...(verification.events
      ? {
          events: {
            appId: toHex(verification.events.appId),
            composeHash: toHex(verification.events.composeHash),
            instanceId: toHex(verification.events.instanceId),
          },
        }
      : {}),
  };
}

function quoteSummary(quote: ParsedQuote, fmspc: string | undefined): NonNullable<QuoteVerifyReport["quote"]> {
  const body = quote.body;
  return {
    version: quote.header.version,
    teeType: quote.header.teeType,
    mrTd: toHex(body.mrTd),
    rtmr0: toHex(body.rtmr0),
    rtmr1: toHex(body.rtmr1),
    rtmr2: toHex(body.rtmr2),
    rtmr3: toHex(body.rtmr3),
    reportData: toHex(body.reportData),
    tdAttributes: toHex(body.tdAttributes),
    xfam: toHex(body.xfam),
    mrSignerSeam: toHex(body.mrSignerSeam),
    mrConfigId: toHex(body.mrConfigId),
    ...(fmspc ? { fmspc } : {}),
  };
}

/** FMSPC from the quote's PCK leaf, for reports and PCCS requests; undefined if unreadable. */
function fmspcOf(quote: ParsedQuote): string | undefined {
  try {
    const leaf = splitPemChain(quote.pckChainPem)[0];
    return leaf ? toHex(sgxExtensionOf(parseCertificate(leaf)).fmspc) : undefined;
  } catch {
    return undefined;
  }
}

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

async function loadCollateral(source: string, quote: ParsedQuote, now: number, rootCaCrlUrl?: string): Promise<Collateral> {
  if (!isUrl(source)) {
    if (!fs.existsSync(source)) throw new UsageError("USAGE", `--collateral: no such file ${source}`);
    return loadCollateralFile(source);
  }
  const leafDer = splitPemChain(quote.pckChainPem)[0];
  if (!leafDer) throw new AttestationError("CERT_MALFORMED", "the quote carries no PCK certificate");
  const leaf = parseCertificate(leafDer);
  const caType = /Processor/i.test(leaf.issuerCommonName ?? "") ? "processor" : "platform";
  return fetchCollateral({ baseUrl: source, ...(rootCaCrlUrl ? { rootCaCrlUrl } : {}), fmspc: sgxExtensionOf(leaf).fmspc, caType, now });
}

function renderReport(report: QuoteVerifyReport): string {
  const rows: Array<[string, string]> = [["result", report.ok ? "verified" : `refused: ${report.errorCode}`]];
  if (report.message) rows.push(["reason", report.message]);
  if (report.status) rows.push(["TCB status", report.status]);
  if (report.ok) rows.push(["advisories", report.advisoryIds.join(", ") || "none"]);
  if (report.quote) {
    rows.push(["quote version", String(report.quote.version)]);
    if (report.quote.fmspc) rows.push(["FMSPC", report.quote.fmspc]);
    rows.push(["MRTD", report.quote.mrTd], ["RTMR0", report.quote.rtmr0], ["RTMR1", report.quote.rtmr1]);
    rows.push(["RTMR2", report.quote.rtmr2], ["RTMR3", report.quote.rtmr3], ["report data", report.quote.reportData]);
  }
  if (report.platformHash) rows.push(["platform hash", report.platformHash]);
  if (report.events) {
    rows.push(["app id", report.events.appId], ["compose hash", report.events.composeHash], ["instance id", report.events.instanceId]);
  }
  return table(rows);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function readFileOrUsage(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(path));
  } catch {
    throw new UsageError("USAGE", `${what}: cannot read ${path}`);
  }
}

function readJsonOrUsage(path: string, what: string): unknown {
  const text = Buffer.from(readFileOrUsage(path, what)).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError("USAGE", `${what}: ${path} is not JSON`);
  }
}
