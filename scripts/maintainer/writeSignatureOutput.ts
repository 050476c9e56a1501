import type { Command } from "commander";
import type { Hex } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { UsageError } from "../../core/errors";
import { printResult, table } from "../../cli/output";
import { parseTimeSetting } from "../../core/config/time";
import { emit, parseAddressOption, timeText, type ChainOptions } from "./cliSupport";
import { parseDuration } from "./duration";
import type { MaintainerClient } from "./client";
import { readContractExplained } from "./readContractExplained";
import { serializeSignatureFile } from "./signatureFile";
import { ethSignTypedDataV4Of, signingDigestOf, type SignatureDeadline, type SignatureFile, type SignatureRequest } from "./signatureRequest";
import { signSignatureRequest } from "./signSignatureRequest";
import { hasKeySource, loadSignerAccount, type KeySourceOptions } from "./signerAccount";
import { verifySignatureFile } from "./verifySignatureFile";

/**
 * The signing half shared by `release sign` and `app sign-freeze`, so both behave the same:
 * - with a key (`--key-env` / `--keystore`): sign and write the signature file;
 * - `--print-typed-data`: print the `eth_signTypedData_v4` JSON for a hardware wallet or a Safe,
 *   and sign nothing;
 * - `--signer <address> --signature <hex>`: wrap a signature made elsewhere (from the printed
 *   typed data) into a signature file, after checking it verifies (ECDSA or ERC-1271).
 * The file goes to `--out`, or to stdout when there is no `--out`.
 */
export interface SignOutputOptions {
  deadline: string;
  deadlineAt?: string;
  out?: string;
  printTypedData?: boolean;
  signer?: string;
  signature?: string;
}

export function addSignOutputOptions(command: Command): Command {
  return command
    .option("--deadline <duration>", "how long the signature stays usable, counted from the latest block", "7d")
    .option("--deadline-at <time>", "or: a fixed deadline, unix seconds or ISO-8601 (pin it when signing elsewhere from --print-typed-data)")
    .option("--out <file>", "write the signature file (or typed data) here instead of stdout")
    .option("--print-typed-data", "print the EIP-712 typed data (eth_signTypedData_v4 JSON) for a hardware wallet or Safe; sign nothing")
    .option("--signer <address>", "with --signature: the address that made an external signature")
    .option("--signature <hex>", "with --signer: a signature over the printed typed data, made by a hardware wallet or Safe");
}

/** `--deadline-at` pins a time; otherwise `--deadline` counts from the latest block. */
export function signatureDeadlineOption(options: SignOutputOptions): SignatureDeadline {
  if (options.deadlineAt !== undefined) return { at: parseTimeSetting("--deadline-at", options.deadlineAt) };
  return { validForSeconds: parseDuration("--deadline", options.deadline) };
}

export async function writeSignatureOutput(
  client: MaintainerClient,
  request: SignatureRequest,
  options: SignOutputOptions & KeySourceOptions & ChainOptions,
): Promise<void> {
  const external = options.signer !== undefined || options.signature !== undefined;
  const modes = [options.printTypedData === true, external, hasKeySource(options)].filter(Boolean).length;
  if (modes !== 1) {
    throw new UsageError("USAGE", "give exactly one of: a key (--key-env or --keystore), --print-typed-data, or --signer with --signature");
  }
  if (options.printTypedData) {
    emit(JSON.stringify(ethSignTypedDataV4Of(request), null, 2), options.out);
    if (!options.json) {
      process.stderr.write(
        `EIP-712 digest to sign: ${signingDigestOf(request)}\n` +
          `To make a signature file from the wallet's signature, run the same command with --deadline-at ${request.deadline} ` +
          `--signer <address> --signature <hex> instead of --print-typed-data.\n`,
      );
    }
    return;
  }
  let file: SignatureFile;
  if (external) {
    if (options.signer === undefined || options.signature === undefined || !/^0x(?:[0-9a-fA-F]{2})+$/.test(options.signature)) {
      throw new UsageError("USAGE", "--signer and --signature go together; --signature is 0x-hex");
    }
    file = { request, signer: parseAddressOption("--signer", options.signer), signature: options.signature.toLowerCase() as Hex };
  } else {
    const account = await loadSignerAccount(options, { env: process.env });
    file = await signSignatureRequest(account, request);
  }
  await verifySignatureFile(client, file, external ? "--signature" : "the new signature");
  await warnWhenNotASigner(client, file);
  const text = serializeSignatureFile(file);
  if (options.out === undefined) {
    emit(text, undefined);
    return;
  }
  emit(text, options.out);
  printResult(options, { file: options.out, signer: file.signer, kind: request.kind, signingDigest: signingDigestOf(request) }, () =>
    table([
      ["wrote", options.out ?? ""],
      ["signer", file.signer],
      ["signs", describeRequest(request)],
      ["deadline", timeText(request.deadline)],
      ["EIP-712 digest", signingDigestOf(request)],
    ]),
  );
}

function describeRequest(request: SignatureRequest): string {
  if (request.kind === "Release") {
    return `Release of compose hash ${request.composeHash} for app ${request.appId} (nonce ${request.nonce}, tag ${request.metadata.releaseTag})`;
  }
  return `AppFreeze of app ${request.appId} at config version ${request.configVersion}`;
}

/** A signature by a non-signer is still written (signers may be rotated in later), with a warning. */
async function warnWhenNotASigner(client: MaintainerClient, file: SignatureFile): Promise<void> {
  const isSigner = await readContractExplained<boolean>(client, {
    address: client.appRegistry,
    abi: appRegistryAbi,
    functionName: "isSigner",
    args: [file.request.appId, file.signer],
  });
  if (!isSigner) {
    process.stderr.write(
      `warning: ${file.signer} is not a current release signer of app ${file.request.appId}; the contract will refuse this signature unless the signers change to include it\n`,
    );
  }
}
