import type { Command } from "commander";
import type { Hex } from "viem";
import { toHex0x } from "../../core/bytes";
import { composeHashOfText } from "../../core/attestation/composeHash";
import { canonicalJson } from "../../core/jcs";
import { parseReleaseMetadata, ReleaseMetadataError, type ReleaseMetadata } from "../../core/release/metadata";
import { UsageError } from "../../core/errors";
import { approveRelease } from "../../scripts/maintainer/approveRelease";
import {
  addChainOptions,
  addKeyOptions,
  eventLines,
  openClient,
  openWriter,
  parseAppIdOption,
  parseBytes32Option,
  readSignatureFiles,
  readTextFile,
  timeText,
  transactionJson,
  transactionLines,
  type ChainOptions,
} from "../../scripts/maintainer/cliSupport";
import { prepareReleaseSignature } from "../../scripts/maintainer/prepareReleaseSignature";
import { revokeRelease } from "../../scripts/maintainer/revokeRelease";
import type { KeySourceOptions } from "../../scripts/maintainer/signerAccount";
import { addSignOutputOptions, signatureDeadlineOption, writeSignatureOutput, type SignOutputOptions } from "../../scripts/maintainer/writeSignatureOutput";
import { printResult, table } from "../output";

interface ReleaseSignOptions extends ChainOptions, KeySourceOptions, SignOutputOptions {
  app: string;
  compose: string;
  commit: string;
  image: string[];
  tag: string;
}

/** `basekms release hash|sign|submit|revoke`: co-signed releases of an app's compose hash. */
export function registerReleaseCommands(program: Command): void {
  const release = program.command("release").description("Releases: compose hashes approved by k of an app's signers");

  release
    .command("hash")
    .description("Print the compose hash of an app-compose.json: SHA-256 of its JCS (RFC 8785) form, the same code the agent uses")
    .argument("<app-compose.json>", "the app-compose file")
    .option("--json", "print one JSON object")
    .action((file: string, options: { json?: boolean }) => {
      const text = readTextFile("<app-compose.json>", file);
      const composeHash = toHex0x(composeHashOfText(text));
      const canonical = canonicalJson(JSON.parse(text)) === text;
      printResult(options, { file, composeHash, canonical }, () =>
        canonical
          ? composeHash
          : `${composeHash}\n(note: ${file} is not in canonical JCS form; dstack hashes the file's bytes, so write the canonical text if a dstack KMS must agree)`,
      );
    });

  addSignOutputOptions(addKeyOptions(addChainOptions(release.command("sign"))))
    .description("Sign a release (EIP-712 Release) of an app-compose for an app and write a signature file for `release submit`")
    .requiredOption("--app <id>", "the app id")
    .requiredOption("--compose <file>", "the app-compose.json being released")
    .requiredOption("--commit <sha>", "the full git commit of the source (40 or 64 hex)")
    .requiredOption("--image <digest...>", "image digests, sha256:<hex> or repo@sha256:<hex> (repeatable; order is kept)")
    .requiredOption("--tag <tag>", "the release tag, e.g. v1.2.0")
    .action(async (options: ReleaseSignOptions) => {
      const appId = parseAppIdOption("--app", options.app);
      const composeHash = toHex0x(composeHashOfText(readTextFile("--compose", options.compose)));
      const metadata = metadataOptions(options);
      const deadline = signatureDeadlineOption(options);
      const client = await openClient(options, process.env);
      const request = await prepareReleaseSignature(client, { appId, composeHash, metadata, deadline });
      await writeSignatureOutput(client, request, options);
    });

  addKeyOptions(addChainOptions(release.command("submit")))
    .description(
      "Submit co-signed Release signature files (approveRelease) and print when the release activates. " +
        "The files must agree; the sender's own signature is left out when the sender is a signer (the contract counts the sender)",
    )
    .argument("<sig-files...>", "Release signature files from `release sign`")
    .action(async (files: string[], options: ChainOptions & KeySourceOptions) => {
      const sourced = readSignatureFiles(files);
      const writer = await openWriter(options, process.env);
      const result = await approveRelease(writer, { files: sourced });
      const request = result.request;
      printResult(
        options,
        {
          appId: request.appId,
          composeHash: request.composeHash,
          activatesAt: result.activatesAt,
          activatesAtIso: new Date(Number(result.activatesAt) * 1000).toISOString(),
          approvers: result.approvers,
          submitterSignatureDropped: result.submitterSignatureDropped,
          ...transactionJson(result, result.event),
        },
        () =>
          [
            `release ${request.composeHash} of app ${request.appId} approved by ${result.approvers.length} signer(s)`,
            `activates at ${timeText(result.activatesAt)}`,
            result.submitterSignatureDropped ? "(the sender is a signer and approved by sending; its own signature file was left out)" : "",
            table([...transactionLines(result), ...eventLines(result.event)]),
          ]
            .filter((line) => line !== "")
            .join("\n"),
      );
    });

  addKeyOptions(addChainOptions(release.command("revoke")))
    .description("Revoke a release at once (one signer suffices)")
    .requiredOption("--app <id>", "the app id")
    .option("--compose-hash <hash>", "the compose hash to revoke")
    .option("--compose <file>", "or: the app-compose.json whose hash to revoke")
    .action(async (options: ChainOptions & KeySourceOptions & { app: string; composeHash?: string; compose?: string }) => {
      const appId = parseAppIdOption("--app", options.app);
      const composeHash = composeHashOption(options);
      const writer = await openWriter(options, process.env);
      const result = await revokeRelease(writer, { appId, composeHash });
      printResult(options, { appId, composeHash, revokedAt: result.revokedAt, ...transactionJson(result, result.event) }, () =>
        [
          `release ${composeHash} of app ${appId} revoked at ${timeText(result.revokedAt)}`,
          table([...transactionLines(result), ...eventLines(result.event)]),
        ].join("\n"),
      );
    });
}

function composeHashOption(options: { composeHash?: string; compose?: string }): Hex {
  if ((options.composeHash === undefined) === (options.compose === undefined)) {
    throw new UsageError("USAGE", "give exactly one of --compose-hash <hash> or --compose <file>");
  }
  if (options.compose !== undefined) return toHex0x(composeHashOfText(readTextFile("--compose", options.compose)));
  return parseBytes32Option("--compose-hash", options.composeHash);
}

/** Bad release metadata in flags is a usage error (exit 2), naming the flags. */
function metadataOptions(options: { commit: string; image: string[]; tag: string }): ReleaseMetadata {
  try {
    return parseReleaseMetadata({ sourceCommit: options.commit, imageDigests: options.image, releaseTag: options.tag });
  } catch (error) {
    if (error instanceof ReleaseMetadataError) throw new UsageError("USAGE", `--commit/--image/--tag: ${error.message}`, { cause: error });
    throw error;
  }
}
