import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDeployment } from "../../core/chain/deployment";
import { loadKmsConfig } from "../../kms/config";
import { checkCommandWords, shellWords } from "./support/cliCommands";
import { type ComposeService, interpolate, interpolatedNames, readCompose, readRepoFile } from "./support/compose";

/**
 * The compose files of deploy/: the sealed KMS VM and the agent's boot step in an app's VM.
 * Their settings are checked against what the code really reads (loadKmsConfig, commander),
 * their secrets against leaking into the measured file.
 */
const SECRET_NAME = /KEY|SECRET|PASSWORD|PASSPHRASE|TOKEN|MNEMONIC|PRIVATE/i;
const kmsCompose = readCompose("deploy/kms/compose.yaml");
const agentCompose = readCompose("deploy/agent/compose.yaml");
const kms = kmsCompose.services.kms as ComposeService;

/** Every BASEKMS_* variable kms/config.ts reads. */
const kmsVariables = new Set([...readRepoFile("kms/config.ts").matchAll(/"(BASEKMS_[A-Z_]+)"/g)].map((match) => match[1] as string));

/** Values for the variables the operator must export, so interpolation succeeds. */
const operatorEnv = {
  BASEKMS_INSTANCE_NAME: "kms-1",
  BASEKMS_ANCHOR_KEY: `0x${"11".repeat(32)}`,
  BASEKMS_APP_ID: `0x${"22".repeat(20)}`,
  BASEKMS_INSTANCE_ID: "33".repeat(20),
};

function assertNoLiteralSecrets(service: ComposeService): void {
  for (const [name, value] of Object.entries(service.environment ?? {})) {
    if (SECRET_NAME.test(name)) expect(String(value), `${name} must come from the operator's environment`).toMatch(/^\$\{[A-Z_]+(?::\?[^}]*)?\}$/);
  }
}

describe("deploy/kms/compose.yaml", () => {
  it("runs the KMS in sealed mode and publishes only the KMS port", () => {
    expect(Object.keys(kmsCompose.services)).toEqual(["kms"]);
    expect(kms.environment?.BASEKMS_NETWORK).toBe("sealed");
    expect(kms.ports).toEqual([`${kms.environment?.BASEKMS_PORT}:${kms.environment?.BASEKMS_PORT}`]);
    expect(kms.environment?.BASEKMS_PORT).toBe("8700");
  });

  it("sets only variables the KMS reads, and they load as a sealed configuration of the inline deployment", () => {
    for (const name of Object.keys(kms.environment ?? {})) expect(kmsVariables, `${name} is not read by kms/config.ts`).toContain(name);
    const env = Object.fromEntries(Object.entries(kms.environment ?? {}).map(([name, value]) => [name, interpolate(String(value), operatorEnv)]));
    // The deployment is mounted from the inline config; load it from a copy of that text.
    const mount = kms.configs?.find((config) => config.target === env.BASEKMS_DEPLOYMENT);
    const content = kmsCompose.configs?.[mount?.source as string]?.content as string;
    const deployment = parseDeployment(content, "inline deployment");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-compose-"));
    try {
      const file = path.join(dir, "deployment.json");
      fs.writeFileSync(file, content);
      const [verb, ...flags] = (kms.command ?? []).slice(1);
      expect(verb).toBe("serve");
      expect(flags).toEqual([]);
      const config = loadKmsConfig({ ...env, BASEKMS_DEPLOYMENT: file });
      expect(config.network).toBe("sealed");
      expect(config.chainId).toBe(deployment.chainId);
      expect(config.pccsUrl).toMatch(/^https:\/\//);
      expect(config.rpcUrl).toMatch(/^https:\/\//);
      expect(config.host).toBe("0.0.0.0");
      expect(config.port).toBe(8700);
      expect(config.confirmations).toBeGreaterThanOrEqual(2);
      expect(config.instanceName).toBe("kms-1");
      expect(config.genesis).toBe(false);
      expect(config.onboardFrom).toBeUndefined();
      const dataVolume = kms.volumes?.find((volume) => volume.type === "volume");
      expect(config.dataDir).toBe(dataVolume?.target);
      expect(kmsCompose.volumes).toHaveProperty(dataVolume?.source as string);
      const eventLog = kms.volumes?.find((volume) => volume.target === config.eventLogFile);
      expect(eventLog?.read_only).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to start without the operator's instance name and anchor key (Compose interpolation)", () => {
    const env = kms.environment ?? {};
    expect(() => interpolate(String(env.BASEKMS_ANCHOR_KEY), {})).toThrow(/BASEKMS_ANCHOR_KEY/);
    expect(() => interpolate(String(env.BASEKMS_INSTANCE_NAME), {})).toThrow(/BASEKMS_INSTANCE_NAME/);
    // Genesis is never a standing setting: a restart must not mint a new root secret.
    expect(env).not.toHaveProperty("BASEKMS_GENESIS");
    expect(kms.command).not.toContain("--genesis");
  });

  it("keeps secrets out of the file", () => {
    assertNoLiteralSecrets(kms);
    expect(interpolatedNames(String(kms.environment?.BASEKMS_ANCHOR_KEY))).toEqual(["BASEKMS_ANCHOR_KEY"]);
  });

  it("gives the KMS the TDX guest device and configfs-tsm, and nothing more privileged", () => {
    expect(kms.devices).toEqual(["/dev/tdx_guest:/dev/tdx_guest"]);
    const configfs = kms.volumes?.find((volume) => volume.target === "/sys/kernel/config");
    expect(configfs).toMatchObject({ type: "bind", source: "/sys/kernel/config" });
    expect(kms.privileged).toBeUndefined();
    expect(kms.cap_drop).toEqual(["ALL"]);
    expect(kms.read_only).toBe(true);
    // A sealed KMS keeps its root secret in memory: no automatic restart.
    expect(kms.restart).toBe("no");
    expect(kms.healthcheck?.test?.join(" ")).toContain("/health");
    expect(kms.image).toMatch(/^basekms-kms[:@]/);
  });
});

describe("deploy/agent/compose.yaml and unlock.sh", () => {
  const unlock = agentCompose.services.unlock as ComposeService;
  const evidence = agentCompose.services.evidence as ComposeService;
  const script = readRepoFile("deploy/agent/unlock.sh");

  it("runs unlock.sh where the agent Dockerfile puts it", () => {
    expect(unlock.entrypoint).toEqual(["/opt/basekms/deploy/agent/unlock.sh"]);
    expect(readRepoFile("deploy/agent/Dockerfile")).toContain("COPY deploy/agent/unlock.sh ./deploy/agent/unlock.sh");
    expect(fs.statSync(path.join(__dirname, "../../deploy/agent/unlock.sh")).mode & 0o111).not.toBe(0);
  });

  it("calls `agent boot` with real flags and sends the key to stdout for cryptsetup --key-file=-", () => {
    const invocation = /basekms\.js (agent boot(?:[^\n\\]|\\\n)*)/.exec(script)?.[1] as string;
    const words = shellWords(invocation.replace(/\\\n/g, " "));
    expect(words.length).toBeGreaterThan(10);
    expect(checkCommandWords(words)).toBeUndefined();
    expect(words.join(" ")).toContain("--out -");
    expect(words.join(" ")).toContain("--quote-provider tsm");
    expect(script).toMatch(/disk_key \| cryptsetup open --type luks2 --key-file=- /);
    expect(script).toContain("set -euo pipefail");
  });

  it("gives unlock.sh every setting it requires, and keeps secrets out of the file", () => {
    const required = [...script.matchAll(/"\$\{(BASEKMS_[A-Z_]+):\?\}"/g)].map((match) => match[1] as string);
    expect(required.length).toBeGreaterThanOrEqual(7);
    for (const name of required) expect(unlock.environment, `unlock.sh needs ${name}`).toHaveProperty(name);
    for (const service of [unlock, evidence]) assertNoLiteralSecrets(service);
    expect(() => interpolate(String(unlock.environment?.BASEKMS_INSTANCE_ID), {})).toThrow(/BASEKMS_INSTANCE_ID/);
    expect(interpolate(String(unlock.environment?.BASEKMS_INSTANCE_ID), operatorEnv)).toBe(operatorEnv.BASEKMS_INSTANCE_ID);
  });

  it("mounts the opened volume where the app can see it and exits after the boot step", () => {
    const run = unlock.volumes?.find((volume) => volume.target === "/run/basekms");
    expect(run?.bind?.propagation).toBe("rshared");
    expect(String(unlock.environment?.BASEKMS_MOUNT)).toMatch(/^\/run\/basekms\//);
    expect(unlock.restart).toBe("no");
    expect(unlock.user).toBe("0:0");
  });

  it("serves the evidence with a real `agent health` command after the volume is open", () => {
    expect(checkCommandWords(evidence.command ?? [])).toBeUndefined();
    expect(evidence.depends_on?.unlock?.condition).toBe("service_completed_successfully");
    expect(evidence.privileged).toBeUndefined();
    expect(evidence.cap_drop).toEqual(["ALL"]);
    const port = (evidence.command ?? [])[(evidence.command ?? []).indexOf("--port") + 1];
    expect(evidence.ports).toEqual([`${port}:${port}`]);
  });

  it("the command checker rejects a flag that does not exist (mutation check)", () => {
    expect(checkCommandWords(["agent", "boot", "--kms-url", "x"])).toMatch(/no option --kms-url/);
    expect(checkCommandWords(["kms", "start"])).toMatch(/no subcommand "start"/);
    expect(checkCommandWords(["kms", "serve", "--network", "sealed"])).toBeUndefined();
  });
});
