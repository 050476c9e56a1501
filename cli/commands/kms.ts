import type { Command } from "commander";
import { loadKmsConfig, type KmsFlags } from "../../kms/config";
import { startKms } from "../../kms/server";
import { printResult, table } from "../output";

/**
 * `basekms kms serve`: runs the KMS until SIGINT/SIGTERM. Settings come from the
 * environment (docs/kms.md); each flag overrides its variable. The anchor submitter key is
 * read from BASEKMS_ANCHOR_KEY only, never from argv.
 */
export function registerKmsCommands(program: Command): void {
  const kms = program.command("kms").description("The key-management service");
  kms
    .command("serve")
    .description("Serve attested key release, onboarding and the release log (see docs/kms.md)")
    .option("--rpc <url>", "JSON-RPC URL (BASEKMS_RPC_URL)")
    .option("--deployment <file>", "deployments/<chainId>.json to serve (BASEKMS_DEPLOYMENT)")
    .option("--network <mode>", "sealed | sandbox (BASEKMS_NETWORK, default sandbox)")
    .option("--data-dir <dir>", "release log, refusals, collateral cache, sandbox secrets (BASEKMS_DATA_DIR)")
    .option("--pccs-url <url>", "PCCS base URL (BASEKMS_PCCS_URL; sandbox default: an embedded dev PCCS)")
    .option("--root-ca-crl-url <url>", "the Intel SGX Root CA CRL's own URL, for a PCCS that does not serve rootcacrl (BASEKMS_ROOT_CA_CRL_URL)")
    .option("--host <host>", "listen address (BASEKMS_HOST, default 127.0.0.1)")
    .option("--port <port>", "listen port (BASEKMS_PORT, default 8700)")
    .option("--confirmations <n>", "policy is read at latest - n (BASEKMS_CONFIRMATIONS, default 2)")
    .option("--anchor-every <n>", "anchor after n new entries (BASEKMS_ANCHOR_EVERY, default 1000)")
    .option("--anchor-interval <seconds>", "anchor at least this often (BASEKMS_ANCHOR_INTERVAL, default 300)")
    .option("--onboard-from <url>", "get the root secret from this running KMS by attested onboarding (BASEKMS_ONBOARD_FROM)")
    .option("--genesis", "sealed: create a new root secret (the first KMS of a deployment only; BASEKMS_GENESIS)")
    .option("--workers <n>", "release worker threads (BASEKMS_WORKERS, default: available cores - 1, at least 1)")
    .option("--json", "print the start-up summary as JSON")
    .action(async (flags: KmsFlags) => {
      const config = loadKmsConfig(process.env, flags);
      const running = await startKms(config, { handleSignals: true });
      const closed = new Promise<void>((resolve) => {
        const done = () => resolve();
        process.once("SIGINT", done);
        process.once("SIGTERM", done);
      });
      const summary = {
        url: running.url,
        network: config.network,
        chainId: config.chainId,
        kms: running.identity.address,
        measurement: running.evidence.measurement,
        quoteSha256: running.evidence.quoteSha256,
        logSize: running.log.size(),
        pccsUrl: running.pccsUrl,
      };
      printResult({ json: config.json }, summary, () =>
        [
          `basekms KMS listening on ${summary.url}${config.network === "sandbox" ? "  (SANDBOX: development CA trusted)" : ""}`,
          table([
            ["network", summary.network],
            ["chain id", String(summary.chainId)],
            ["KMS identity", summary.kms],
            ["KMS measurement", summary.measurement ?? "unknown"],
            ["identity quote sha256", summary.quoteSha256],
            ["release log", `${summary.logSize} entries`],
            ["PCCS", summary.pccsUrl],
          ]),
          "Press Ctrl-C to stop.",
        ].join("\n"),
      );
      await closed;
      await running.close();
    });
}
