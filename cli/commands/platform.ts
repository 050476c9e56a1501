import type { Command } from "commander";
import { UsageError } from "../../core/errors";
import { changeAllowedTcbStatuses } from "../../scripts/maintainer/changeAllowedTcbStatuses";
import {
  addChainOptions,
  addKeyOptions,
  eventLines,
  openClient,
  openWriter,
  parseAddressOption,
  parseBytes32Option,
  transactionJson,
  transactionLines,
  type ChainOptions,
} from "../../scripts/maintainer/cliSupport";
import type { MaintainerWriter } from "../../scripts/maintainer/client";
import { readPlatformPolicy } from "../../scripts/maintainer/readPlatformPolicy";
import { registerKmsIdentity } from "../../scripts/maintainer/registerKmsIdentity";
import { removeKmsIdentity } from "../../scripts/maintainer/removeKmsIdentity";
import type { DecodedEvent, SentTransaction } from "../../scripts/maintainer/sendContractWrite";
import { setKmsMeasurementAllowed } from "../../scripts/maintainer/setKmsMeasurementAllowed";
import { setPlatformAllowed } from "../../scripts/maintainer/setPlatformAllowed";
import type { KeySourceOptions } from "../../scripts/maintainer/signerAccount";
import { parseTcbStatusNames, tcbStatusNamesOf } from "../../scripts/maintainer/tcbStatusMask";
import { printResult, table } from "../output";

interface PlatformChangeOptions extends ChainOptions, KeySourceOptions {
  platformHash?: string;
  tcbStatuses?: string;
  kmsMeasurement?: string;
  kmsIdentity?: string;
  quoteHash?: string;
  measurement?: string;
}

type Change = (writer: MaintainerWriter) => Promise<SentTransaction & { event: DecodedEvent; summary: string }>;

/** `basekms platform allow|revoke|show`: PlatformPolicy changes, for its governance. */
export function registerPlatformCommands(program: Command): void {
  const platform = program.command("platform").description("PlatformPolicy (governance): TD platforms, TCB statuses, KMS measurements and identities");
  for (const verb of ["allow", "revoke"] as const) {
    addKeyOptions(addChainOptions(platform.command(verb)))
      .description(
        verb === "allow"
          ? "Allow one thing: a platform hash, TCB statuses (added to the accepted set), a KMS measurement, or a KMS identity (with --quote-hash and --measurement)"
          : "Revoke one thing: a platform hash, TCB statuses (removed from the accepted set), a KMS measurement, or a KMS identity",
      )
      .option("--platform-hash <hash>", "sha256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2)")
      .option("--tcb-statuses <names>", "comma-separated: UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded")
      .option("--kms-measurement <hash>", "a KMS build measurement")
      .option("--kms-identity <address>", "a KMS instance's identity address")
      .option("--quote-hash <hash>", "allow --kms-identity: hash of the quote that binds the identity")
      .option("--measurement <hash>", "allow --kms-identity: the KMS measurement it runs (must be allowed)")
      .action(async (options: PlatformChangeOptions) => {
        const change = changeOf(verb === "allow", options);
        const writer = await openWriter(options, process.env);
        const result = await change(writer);
        printResult(options, { change: result.summary, ...transactionJson(result, result.event) }, () =>
          [result.summary, table([...transactionLines(result), ...eventLines(result.event)])].join("\n"),
        );
      });
  }

  addChainOptions(platform.command("show"))
    .description("Show PlatformPolicy's governance and accepted TCB statuses")
    .action(async (options: ChainOptions) => {
      const policy = await readPlatformPolicy(await openClient(options, process.env));
      printResult(options, policy, () =>
        table([
          ["governance", policy.governance],
          ["pending governance", /^0x0{40}$/.test(policy.pendingGovernance) ? "none" : policy.pendingGovernance],
          ["accepted TCB statuses", `${policy.allowedTcbStatuses.join(", ") || "none"} (mask 0x${policy.allowedTcbStatusMask.toString(16)})`],
          ["read at block", String(policy.blockNumber)],
        ]),
      );
    });
}

/** Validates the flags (exactly one target) before any key or RPC is touched. */
function changeOf(allowed: boolean, options: PlatformChangeOptions): Change {
  const targets = [options.platformHash, options.tcbStatuses, options.kmsMeasurement, options.kmsIdentity].filter((value) => value !== undefined);
  if (targets.length !== 1) {
    throw new UsageError("USAGE", "give exactly one of --platform-hash, --tcb-statuses, --kms-measurement or --kms-identity");
  }
  const identityExtras = options.quoteHash !== undefined || options.measurement !== undefined;
  if (identityExtras && (options.kmsIdentity === undefined || !allowed)) {
    throw new UsageError("USAGE", "--quote-hash and --measurement only go with `platform allow --kms-identity`");
  }
  const verb = allowed ? "allowed" : "revoked";
  if (options.platformHash !== undefined) {
    const platformHash = parseBytes32Option("--platform-hash", options.platformHash);
    return async (writer) => ({ ...(await setPlatformAllowed(writer, { platformHash, allowed })), summary: `platform hash ${platformHash} ${verb}` });
  }
  if (options.tcbStatuses !== undefined) {
    const mask = parseTcbStatusNames("--tcb-statuses", options.tcbStatuses);
    return async (writer) => {
      const result = await changeAllowedTcbStatuses(writer, { mask, allowed });
      const names = tcbStatusNamesOf(result.mask);
      return { ...result, summary: `TCB statuses ${tcbStatusNamesOf(mask).join(", ")} ${verb}; accepted now: ${names.join(", ") || "none"}` };
    };
  }
  if (options.kmsMeasurement !== undefined) {
    const measurement = parseBytes32Option("--kms-measurement", options.kmsMeasurement);
    return async (writer) => ({ ...(await setKmsMeasurementAllowed(writer, { measurement, allowed })), summary: `KMS measurement ${measurement} ${verb}` });
  }
  const kms = parseAddressOption("--kms-identity", options.kmsIdentity);
  if (!allowed) return async (writer) => ({ ...(await removeKmsIdentity(writer, { kms })), summary: `KMS identity ${kms} removed` });
  const quoteHash = parseBytes32Option("--quote-hash", options.quoteHash);
  const measurement = parseBytes32Option("--measurement", options.measurement);
  return async (writer) => ({
    ...(await registerKmsIdentity(writer, { kms, quoteHash, measurement })),
    summary: `KMS identity ${kms} registered (measurement ${measurement})`,
  });
}
