import fs from "node:fs";
import type { Command } from "commander";
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { envOptional, parseUrlSetting, type Env } from "../../core/config/env";
import { UsageError } from "../../core/errors";
import { connectMaintainerClient, withAccount, type MaintainerClient, type MaintainerWriter } from "./client";
import { loadSignerAccount, type KeySourceOptions } from "./signerAccount";
import type { SourcedSignatureFile } from "./collectSignatures";
import { parseSignatureFile } from "./signatureFile";
import type { DecodedEvent, SentTransaction } from "./sendContractWrite";

/**
 * What `basekms app|release|platform` share: the chain and key flags, the one place that turns
 * flags and environment into a client, input parsers that name the flag they refuse, and the
 * human rendering of a transaction and its event.
 */
export interface ChainOptions {
  rpc?: string;
  deployment?: string;
  json?: boolean;
}

export const RPC_URL_ENV = "BASEKMS_RPC_URL";
export const DEPLOYMENT_ENV = "BASEKMS_DEPLOYMENT";
const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

export function addChainOptions(command: Command): Command {
  return command
    .option("--rpc <url>", `JSON-RPC URL (default: $${RPC_URL_ENV} or ${DEFAULT_RPC_URL})`)
    .option("--deployment <file>", `deployment file (default: $${DEPLOYMENT_ENV} or deployments/<chainId>.json)`)
    .option("--json", "print one JSON object");
}

export function addKeyOptions(command: Command): Command {
  return command
    .option("--key-env <VAR>", "name of an environment variable holding the hex private key (never the key itself)")
    .option("--keystore <file>", "Ethereum V3 keystore; password from $BASEKMS_KEYSTORE_PASSWORD or a terminal prompt");
}

export async function openClient(options: ChainOptions, env: Env): Promise<MaintainerClient & { rpcUrl: string }> {
  const rpcUrl = parseUrlSetting(options.rpc !== undefined ? "--rpc" : RPC_URL_ENV, options.rpc ?? envOptional(env, RPC_URL_ENV) ?? DEFAULT_RPC_URL);
  const deploymentFile = options.deployment ?? envOptional(env, DEPLOYMENT_ENV);
  const client = await connectMaintainerClient({ rpcUrl, ...(deploymentFile ? { deploymentFile } : {}) });
  return { ...client, rpcUrl };
}

/** The key is loaded before the chain is touched, so a usage mistake costs no RPC call. */
export async function openWriter(options: ChainOptions & KeySourceOptions, env: Env): Promise<MaintainerWriter> {
  const account = await loadSignerAccount(options, { env });
  const client = await openClient(options, env);
  return withAccount(client, account, client.rpcUrl);
}

export function parseAppIdOption(flag: string, raw: string | undefined): Hex {
  if (raw === undefined || !/^0x[0-9a-fA-F]{40}$/.test(raw)) throw new UsageError("USAGE", `${flag} must be an app id: 0x and 20 bytes of hex`);
  return raw.toLowerCase() as Hex;
}

export function parseBytes32Option(flag: string, raw: string | undefined): Hex {
  if (raw === undefined || !/^(0x)?[0-9a-fA-F]{64}$/.test(raw)) throw new UsageError("USAGE", `${flag} must be 32 bytes of hex`);
  return `0x${raw.replace(/^0x/, "").toLowerCase()}`;
}

export function parseAddressOption(flag: string, raw: string | undefined): Address {
  if (raw === undefined || !isAddress(raw, { strict: false })) throw new UsageError("USAGE", `${flag} must be a 0x-prefixed 20-byte address, got "${raw ?? ""}"`);
  if (raw !== raw.toLowerCase() && raw.slice(2) !== raw.slice(2).toUpperCase() && !isAddress(raw)) {
    throw new UsageError("USAGE", `${flag}: ${raw} has a wrong EIP-55 checksum (a typo?)`);
  }
  return getAddress(raw);
}

export function parseAddressList(flag: string, raw: string): Address[] {
  return raw.split(",").map((part) => parseAddressOption(flag, part.trim()));
}

export function parseIntegerOption(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError("USAGE", `${flag} must be an integer, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new UsageError("USAGE", `${flag} must be between ${min} and ${max}`);
  return value;
}

export function readTextFile(flag: string, file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError("USAGE", `${flag}: cannot read ${file}`, { cause: error });
  }
}

export function readSignatureFiles(files: readonly string[]): SourcedSignatureFile[] {
  return files.map((file) => ({ file: parseSignatureFile(readTextFile("<sig files>", file), file), source: file }));
}

/** Writes to `--out` when given, else prints. */
export function emit(text: string, out: string | undefined): void {
  if (out === undefined) {
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    return;
  }
  fs.writeFileSync(out, text.endsWith("\n") ? text : `${text}\n`);
}

/** `2026-01-01T00:00:00.000Z (unix 1767225600)`. */
export function timeText(unixSeconds: bigint | number): string {
  return `${new Date(Number(unixSeconds) * 1000).toISOString()} (unix ${unixSeconds})`;
}

const TIME_ARGS = new Set(["activatesAt", "revokedAt", "previousNoticeUntil"]);

/** The event as aligned `name  value` lines, times in ISO as well. */
export function eventLines(event: DecodedEvent): [string, string][] {
  const rows: [string, string][] = [["event", event.eventName]];
  for (const [name, value] of Object.entries(event.args)) {
    const text = Array.isArray(value) ? value.join(", ") : TIME_ARGS.has(name) ? timeText(value as bigint) : String(value);
    rows.push([`  ${name}`, text]);
  }
  return rows;
}

export function transactionLines(sent: SentTransaction): [string, string][] {
  return [
    ["transaction", sent.transactionHash],
    ["block", `${sent.blockNumber} at ${timeText(sent.blockTimestamp)}`],
  ];
}

/** The JSON form of a transaction and its event (bigints become strings in printResult). */
export function transactionJson(sent: SentTransaction, event: DecodedEvent): Record<string, unknown> {
  return {
    transactionHash: sent.transactionHash,
    blockNumber: sent.blockNumber,
    blockTimestamp: sent.blockTimestamp,
    event: { name: event.eventName, args: event.args },
  };
}
