import type { Command } from "commander";
import { formatDuration } from "../../core/contracts/explainRevert";
import {
  addChainOptions,
  addKeyOptions,
  eventLines,
  openClient,
  openWriter,
  parseAddressList,
  parseAppIdOption,
  parseIntegerOption,
  readSignatureFiles,
  timeText,
  transactionJson,
  transactionLines,
  type ChainOptions,
} from "../../scripts/maintainer/cliSupport";
import { parseDuration } from "../../scripts/maintainer/duration";
import { freezeApp } from "../../scripts/maintainer/freezeApp";
import { prepareAppFreezeSignature } from "../../scripts/maintainer/prepareAppFreezeSignature";
import { readApp, type ReadAppReturnType } from "../../scripts/maintainer/readApp";
import { registerApp } from "../../scripts/maintainer/registerApp";
import type { KeySourceOptions } from "../../scripts/maintainer/signerAccount";
import { printResult, table } from "../output";
import { addSignOutputOptions, signatureDeadlineOption, writeSignatureOutput, type SignOutputOptions } from "../../scripts/maintainer/writeSignatureOutput";

type WriteOptions = ChainOptions & KeySourceOptions;

/** `basekms app register|show|sign-freeze|freeze`: apps and their k-of-n release signers. */
export function registerAppCommands(program: Command): void {
  const app = program.command("app").description("Apps in the AppRegistry: register, show, freeze");

  addKeyOptions(addChainOptions(app.command("register")))
    .description("Register an app with k-of-n release signers and a notice period; prints the new app id")
    .requiredOption("--signers <addresses>", "comma-separated release signer addresses (1 to 32)")
    .requiredOption("--threshold <k>", "signatures needed for a release, a config change or a freeze")
    .requiredOption("--notice <duration>", "delay between approval and activation: seconds or 30s, 10m, 2h, 1d, 1w")
    .action(async (options: WriteOptions & { signers: string; threshold: string; notice: string }) => {
      const signers = parseAddressList("--signers", options.signers);
      const threshold = parseIntegerOption("--threshold", options.threshold, 1, 255);
      const noticePeriod = parseDuration("--notice", options.notice);
      const writer = await openWriter(options, process.env);
      const result = await registerApp(writer, { signers, threshold, noticePeriod });
      printResult(options, { appId: result.appId, ...transactionJson(result, result.event) }, () =>
        table([["app id", result.appId], ...transactionLines(result), ...eventLines(result.event)]),
      );
    });

  addChainOptions(app.command("show"))
    .description("Show an app: signers, threshold, notice period, config version, frozen, and its releases from events")
    .argument("<app-id>", "the app id (0x + 20 bytes)")
    .action(async (appIdText: string, options: ChainOptions) => {
      const appId = parseAppIdOption("<app-id>", appIdText);
      const state = await readApp(await openClient(options, process.env), { appId });
      printResult(options, state, () => renderApp(state));
    });

  addSignOutputOptions(addKeyOptions(addChainOptions(app.command("sign-freeze"))))
    .description("Sign an AppFreeze message (EIP-712) for the app's current config version and write a signature file")
    .requiredOption("--app <id>", "the app id")
    .action(async (options: ChainOptions & KeySourceOptions & SignOutputOptions & { app: string }) => {
      const appId = parseAppIdOption("--app", options.app);
      const deadline = signatureDeadlineOption(options);
      const client = await openClient(options, process.env);
      const request = await prepareAppFreezeSignature(client, { appId, deadline });
      await writeSignatureOutput(client, request, options);
    });

  addKeyOptions(addChainOptions(app.command("freeze")))
    .description(
      "Freeze an app for ever with k approvals: AppFreeze signature files (from app sign-freeze), plus the sender when it is a signer",
    )
    .requiredOption("--app <id>", "the app id")
    .argument("[sig-files...]", "AppFreeze signature files")
    .action(async (files: string[], options: WriteOptions & { app: string }) => {
      const appId = parseAppIdOption("--app", options.app);
      const sourced = readSignatureFiles(files);
      const writer = await openWriter(options, process.env);
      const result = await freezeApp(writer, { appId, files: sourced });
      printResult(options, { ...transactionJson(result, result.event), submitterSignatureDropped: result.submitterSignatureDropped }, () =>
        [
          `app ${appId} is frozen for ever at config version ${result.configVersion}`,
          result.submitterSignatureDropped ? "(the sender is a signer and approved by sending; its own signature file was left out)" : "",
          table([...transactionLines(result), ...eventLines(result.event)]),
        ]
          .filter((line) => line !== "")
          .join("\n"),
      );
    });
}

function renderApp(state: ReadAppReturnType): string {
  const floorApplies = state.noticeFloor.until > state.blockTimestamp && state.noticeFloor.period > 0n;
  const rows: [string, string][] = [
    ["app id", state.appId],
    ["signers", state.signers.join(", ")],
    ["threshold", `${state.threshold} of ${state.signers.length}`],
    ["notice period", formatDuration(state.noticePeriod)],
    [
      "notice floor",
      floorApplies ? `${formatDuration(state.noticeFloor.period)} until ${timeText(state.noticeFloor.until)}` : "none in force",
    ],
    ["effective notice", formatDuration(state.effectiveNoticePeriod)],
    ["config version", String(state.configVersion)],
    ["frozen", state.frozen ? "yes (nothing can change any more)" : "no"],
    ["read at", `block ${state.blockNumber}, ${timeText(state.blockTimestamp)}`],
  ];
  const lines = [table(rows), "", state.releases.length === 0 ? "no releases yet" : "releases:"];
  for (const release of state.releases) {
    const latest = release.approvals[release.approvals.length - 1];
    const when =
      release.state === "revoked"
        ? `revoked at ${timeText(release.revokedAt)}`
        : release.state === "active"
          ? `active since ${timeText(release.activatesAt)}`
          : `pending, activates at ${timeText(release.activatesAt)}`;
    lines.push(`  ${release.composeHash}  ${release.state.toUpperCase()}  ${when}`);
    if (latest) lines.push(`    approved by ${latest.signers.join(", ")}; metadata digest ${latest.metadataDigest}; approvals so far ${release.nonce}`);
  }
  return lines.join("\n");
}
