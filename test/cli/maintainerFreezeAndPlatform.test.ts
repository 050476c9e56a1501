import fs from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { DEV_ACCOUNTS, DEV_KEYS } from "./maintainerFixtures";
import { jsonOf, runCli, startMaintainerChain, type MaintainerChain } from "./maintainerHarness";

/**
 * `basekms app sign-freeze|freeze` and `basekms platform allow|revoke|show` against a real
 * Hardhat node. Governance is dev account 0 (the deployer).
 */
const ROOT = path.resolve(__dirname, "../..");
const WATCH_HISTORY = path.join(ROOT, "examples/social-watch-history/app-compose.json");
const [GOVERNANCE, SIGNER_A, SIGNER_B, SIGNER_C] = DEV_ACCOUNTS as [typeof DEV_ACCOUNTS[0], typeof DEV_ACCOUNTS[0], typeof DEV_ACCOUNTS[0], typeof DEV_ACCOUNTS[0]];
const KEY_ENV = { GOVERNANCE: "FP_GOVERNANCE_KEY", A: "FP_SIGNER_A_KEY", B: "FP_SIGNER_B_KEY", C: "FP_SIGNER_C_KEY" } as const;

let chain: MaintainerChain;

beforeAll(async () => {
  chain = await startMaintainerChain();
  process.env[KEY_ENV.GOVERNANCE] = DEV_KEYS[0];
  process.env[KEY_ENV.A] = DEV_KEYS[1];
  process.env[KEY_ENV.B] = DEV_KEYS[2];
  process.env[KEY_ENV.C] = DEV_KEYS[3];
});

afterAll(async () => {
  for (const name of Object.values(KEY_ENV)) delete process.env[name];
  await chain?.stop();
});

async function registerApp(threshold: number): Promise<Hex> {
  const run = await runCli([
    "app", "register", ...chain.chainFlags, "--signers", [SIGNER_A.address, SIGNER_B.address, SIGNER_C.address].join(","),
    "--threshold", String(threshold), "--notice", "600", "--key-env", KEY_ENV.GOVERNANCE, "--json",
  ]);
  expect(run.code, run.stderr).toBe(0);
  return jsonOf(run).appId as Hex;
}

async function signFreeze(appId: Hex, keyEnv: string, name: string): Promise<string> {
  const out = path.join(chain.dir, name);
  const run = await runCli(["app", "sign-freeze", ...chain.chainFlags, "--app", appId, "--key-env", keyEnv, "--out", out]);
  expect(run.code, run.stderr).toBe(0);
  return out;
}

async function isFrozen(appId: Hex): Promise<boolean> {
  const [, , , , frozen] = await chain.publicClient.readContract({ address: chain.appRegistry, abi: appRegistryAbi, functionName: "getApp", args: [appId] });
  return frozen;
}

describe("basekms app sign-freeze + freeze", () => {
  it("freezes a 2-of-3 app with two AppFreeze signature files sent by a relayer", async () => {
    const appId = await registerApp(2);
    const a = await signFreeze(appId, KEY_ENV.A, "freeze-a.json");
    const c = await signFreeze(appId, KEY_ENV.C, "freeze-c.json");
    const file = JSON.parse(fs.readFileSync(a, "utf8")) as Record<string, unknown>;
    expect(file).toMatchObject({ kind: "AppFreeze", appId, configVersion: 1, signer: SIGNER_A.address });
    const run = await runCli(["app", "freeze", ...chain.chainFlags, "--app", appId, a, c, "--key-env", KEY_ENV.GOVERNANCE, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOf(run).event).toMatchObject({ name: "AppFrozen", args: { configVersion: "1" } });
    expect(await isFrozen(appId)).toBe(true);

    const revoke = await runCli(["release", "revoke", ...chain.chainFlags, "--app", appId, "--compose", WATCH_HISTORY, "--key-env", KEY_ENV.A]);
    expect(revoke.code).toBe(1);
    expect(revoke.stderr).toContain(`app ${appId} is frozen: its releases and configuration can never change again`);
    const show = await runCli(["app", "show", ...chain.chainFlags, appId]);
    expect(show.stdout).toMatch(/frozen\s+yes/);
  });

  it("a signer that sends the freeze approves by sending, so one other signature suffices and its own file is left out", async () => {
    const appId = await registerApp(2);
    const a = await signFreeze(appId, KEY_ENV.A, "self-a.json");
    const b = await signFreeze(appId, KEY_ENV.B, "self-b.json");
    const run = await runCli(["app", "freeze", ...chain.chainFlags, "--app", appId, a, b, "--key-env", KEY_ENV.B]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`app ${appId} is frozen for ever at config version 1`);
    expect(run.stdout).toContain("its own signature file was left out");
    expect(await isFrozen(appId)).toBe(true);
  });

  it("a 1-of-3 app is frozen by one signer with no signature files", async () => {
    const appId = await registerApp(1);
    const run = await runCli(["app", "freeze", ...chain.chainFlags, "--app", appId, "--key-env", KEY_ENV.C]);
    expect(run.code, run.stderr).toBe(0);
    expect(await isFrozen(appId)).toBe(true);
  });

  it("explains too few freeze approvals, and refuses release signatures given to freeze", async () => {
    const appId = await registerApp(2);
    const a = await signFreeze(appId, KEY_ENV.A, "few-a.json");
    const few = await runCli(["app", "freeze", ...chain.chainFlags, "--app", appId, a, "--key-env", KEY_ENV.GOVERNANCE]);
    expect(few.code).toBe(1);
    expect(few.stderr).toContain("freezeApp refused: only 1 approval(s) counted but the app needs 2");
    const other = await registerApp(2);
    const wrongApp = await runCli(["app", "freeze", ...chain.chainFlags, "--app", other, a, "--key-env", KEY_ENV.GOVERNANCE]);
    expect(wrongApp.code).toBe(1);
    expect(wrongApp.stderr).toContain(`SIGNATURE_FILES_DISAGREE: the signature files freeze app ${appId}, not ${other}`);
    const submit = await runCli(["release", "submit", ...chain.chainFlags, a, "--key-env", KEY_ENV.GOVERNANCE]);
    expect(submit.code).toBe(1);
    expect(submit.stderr).toContain("signs an AppFreeze message, but this command needs Release signatures");
    expect(await isFrozen(appId)).toBe(false);
  });

  it("prints AppFreeze typed data for a Safe or hardware wallet", async () => {
    const appId = await registerApp(2);
    const run = await runCli(["app", "sign-freeze", ...chain.chainFlags, "--app", appId, "--print-typed-data"]);
    expect(run.code, run.stderr).toBe(0);
    const typedData = JSON.parse(run.stdout) as { primaryType: string; message: { appId: string; configVersion: string; deadline: string } };
    expect(typedData.primaryType).toBe("AppFreeze");
    const digest = await chain.publicClient.readContract({
      address: chain.appRegistry, abi: appRegistryAbi, functionName: "hashAppFreeze",
      args: [appId, BigInt(typedData.message.configVersion), BigInt(typedData.message.deadline)],
    });
    expect(run.stderr).toContain(`EIP-712 digest to sign: ${digest}`);
  });
});

describe("basekms platform allow|revoke|show", () => {
  const PLATFORM_HASH: Hex = `0x${"a1".repeat(32)}`;
  const MEASUREMENT: Hex = `0x${"4b".repeat(32)}`;
  const QUOTE_HASH: Hex = `0x${"51".repeat(32)}`;
  const KMS = "0x00000000000000000000000000000000000b4535";

  const read = <T>(functionName: string, args: readonly unknown[] = []): Promise<T> =>
    chain.publicClient.readContract({ address: chain.platformPolicy, abi: platformPolicyAbi, functionName, args } as never) as Promise<T>;
  const platform = (...args: string[]) => runCli(["platform", ...args, ...chain.chainFlags, "--key-env", KEY_ENV.GOVERNANCE]);

  it("allows and revokes a platform hash, printing the transaction and the event", async () => {
    const allow = await platform("allow", "--platform-hash", PLATFORM_HASH);
    expect(allow.code, allow.stderr).toBe(0);
    expect(allow.stdout).toContain(`platform hash ${PLATFORM_HASH} allowed`);
    expect(allow.stdout).toMatch(/event\s+PlatformAllowanceChanged/);
    expect(await read<boolean>("isPlatformHashAllowed", [PLATFORM_HASH])).toBe(true);
    const revoke = await platform("revoke", "--platform-hash", PLATFORM_HASH, "--json");
    expect(jsonOf(revoke).event).toEqual({ name: "PlatformAllowanceChanged", args: { platformHash: PLATFORM_HASH, allowed: false } });
    expect(await read<boolean>("isPlatformHashAllowed", [PLATFORM_HASH])).toBe(false);
  });

  it("adds and removes TCB statuses by name, keeping the others", async () => {
    const allow = await platform("allow", "--tcb-statuses", "SWHardeningNeeded,ConfigurationNeeded", "--json");
    expect(allow.code, allow.stderr).toBe(0);
    expect(jsonOf(allow).event.args.mask).toBe(0b111);
    const revoke = await platform("revoke", "--tcb-statuses", "UpToDate");
    expect(revoke.stdout).toContain("accepted now: SWHardeningNeeded, ConfigurationNeeded");
    expect(await read<number>("allowedTcbStatuses")).toBe(0b110);
    const show = await runCli(["platform", "show", ...chain.chainFlags]);
    expect(show.stdout).toMatch(/accepted TCB statuses\s+SWHardeningNeeded, ConfigurationNeeded \(mask 0x6\)/);
    expect(show.stdout).toMatch(new RegExp(`governance\\s+${GOVERNANCE.address}`));
  });

  it("allows a KMS measurement, registers and removes a KMS identity", async () => {
    expect((await platform("allow", "--kms-measurement", MEASUREMENT)).code).toBe(0);
    const register = await platform("allow", "--kms-identity", KMS, "--quote-hash", QUOTE_HASH, "--measurement", MEASUREMENT, "--json");
    expect(register.code, register.stderr).toBe(0);
    expect(jsonOf(register).event.name).toBe("KmsIdentityRegistered");
    expect(await read<boolean>("isKmsIdentity", [KMS])).toBe(true);
    const remove = await platform("revoke", "--kms-identity", KMS);
    expect(remove.code, remove.stderr).toBe(0);
    expect(await read<boolean>("isKmsIdentity", [KMS])).toBe(false);
    expect((await platform("revoke", "--kms-measurement", MEASUREMENT)).code).toBe(0);
    expect(await read<boolean>("isKmsMeasurementAllowed", [MEASUREMENT])).toBe(false);
  });

  it("explains refusals in words: a non-governance key, a measurement that is not allowed, an inactive identity", async () => {
    const outsider = await runCli(["platform", "allow", "--platform-hash", PLATFORM_HASH, ...chain.chainFlags, "--key-env", KEY_ENV.A]);
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toContain(`${SIGNER_A.address} is not the PlatformPolicy governance`);
    const notAllowed = await platform("allow", "--kms-identity", KMS, "--quote-hash", QUOTE_HASH, "--measurement", `0x${"99".repeat(32)}`);
    expect(notAllowed.code).toBe(1);
    expect(notAllowed.stderr).toContain(`KMS measurement 0x${"99".repeat(32)} is not allowed`);
    const inactive = await platform("revoke", "--kms-identity", KMS);
    expect(inactive.code).toBe(1);
    expect(inactive.stderr).toMatch(/0x00000000000000000000000000000000000[bB]4535 is not an active KMS identity/);
  });

  it("exits 2 for flag mistakes, before touching a key or the chain", async () => {
    const two = await platform("allow", "--platform-hash", PLATFORM_HASH, "--kms-measurement", MEASUREMENT);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain("give exactly one of --platform-hash, --tcb-statuses, --kms-measurement or --kms-identity");
    const revoked = await platform("allow", "--tcb-statuses", "Revoked");
    expect(revoked.code).toBe(2);
    expect(revoked.stderr).toContain("Revoked has no bit in the policy and can never be allowed");
    const unknown = await platform("allow", "--tcb-statuses", "Fine");
    expect(unknown.stderr).toMatch(/unknown TCB status "Fine" \(valid: UpToDate, SWHardeningNeeded/);
    const extras = await platform("revoke", "--kms-identity", KMS, "--quote-hash", QUOTE_HASH);
    expect(extras.code).toBe(2);
    const checksummed = SIGNER_A.address;
    const index = checksummed.search(/[a-f]/);
    const typo = `${checksummed.slice(0, index)}${checksummed.charAt(index).toUpperCase()}${checksummed.slice(index + 1)}`;
    const badChecksum = await platform("revoke", "--kms-identity", typo);
    expect(badChecksum.code).toBe(2);
    expect(badChecksum.stderr).toContain("has a wrong EIP-55 checksum");
  });
});
