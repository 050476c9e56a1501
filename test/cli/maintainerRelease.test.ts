import fs from "node:fs";
import path from "node:path";
import { TypedDataEncoder } from "ethers";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appComposeHash } from "../../agent/identity";
import { composeHashOfText } from "../../core/attestation/composeHash";
import { toHex0x } from "../../core/bytes";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { DEV_ACCOUNTS, DEV_KEYS, encryptTestKeystore } from "./maintainerFixtures";
import { jsonOf, runCli, startMaintainerChain, writeFile, type MaintainerChain } from "./maintainerHarness";

/**
 * The release workflow through `basekms app|release` against a real Hardhat node: register a
 * 2-of-3 app, co-sign, submit, watch the notice period pass, revoke, and every refusal in words.
 */
const ROOT = path.resolve(__dirname, "../..");
const WATCH_HISTORY = path.join(ROOT, "examples/social-watch-history/app-compose.json");
const DIRECT_MESSAGES = path.join(ROOT, "examples/social-direct-messages/app-compose.json");
const COMMIT = "1f2e3d4c5b6a79880716253443526170f9e8d7c6";
const IMAGE_A = `sha256:${"0a".repeat(32)}`;
const IMAGE_B = `ghcr.io/basekms/social-demo-app@sha256:${"0b".repeat(32)}`;
const DAY = 86_400;

const [RELAYER, SIGNER_A, SIGNER_B, SIGNER_C] = DEV_ACCOUNTS as [typeof DEV_ACCOUNTS[0], typeof DEV_ACCOUNTS[0], typeof DEV_ACCOUNTS[0], typeof DEV_ACCOUNTS[0]];
const KEY_ENV = { RELAYER: "TEST_RELAYER_KEY", A: "TEST_SIGNER_A_KEY", B: "TEST_SIGNER_B_KEY", C: "TEST_SIGNER_C_KEY" } as const;

let chain: MaintainerChain;
let appId: Hex;

beforeAll(async () => {
  chain = await startMaintainerChain();
  process.env[KEY_ENV.RELAYER] = DEV_KEYS[0];
  process.env[KEY_ENV.A] = DEV_KEYS[1];
  process.env[KEY_ENV.B] = DEV_KEYS[2];
  process.env[KEY_ENV.C] = DEV_KEYS[3];
});

afterAll(async () => {
  for (const name of Object.values(KEY_ENV)) delete process.env[name];
  await chain?.stop();
});

function composeVariant(name: string): string {
  const compose = JSON.parse(fs.readFileSync(WATCH_HISTORY, "utf8")) as Record<string, unknown>;
  return writeFile(chain.dir, `${name}.json`, JSON.stringify({ ...compose, name }));
}

async function sign(keyEnv: string, compose: string, out: string, extra: string[] = []): Promise<string> {
  const file = path.join(chain.dir, out);
  const run = await runCli([
    "release", "sign", ...chain.chainFlags, "--app", appId, "--compose", compose, "--commit", COMMIT,
    "--image", IMAGE_A, "--image", IMAGE_B, "--tag", "v1.0.0", "--key-env", keyEnv, "--out", file, ...extra,
  ]);
  expect(run.code, run.stderr).toBe(0);
  return file;
}

async function isAllowed(composeFile: string): Promise<boolean> {
  return chain.publicClient.readContract({
    address: chain.appRegistry,
    abi: appRegistryAbi,
    functionName: "isReleaseAllowed",
    args: [appId, toHex0x(composeHashOfText(fs.readFileSync(composeFile, "utf8")))],
  });
}

describe("basekms app register", () => {
  it("registers a 2-of-3 app and prints its id from the AppRegistered event", async () => {
    const run = await runCli([
      "app", "register", ...chain.chainFlags, "--signers", [SIGNER_A.address, SIGNER_B.address, SIGNER_C.address].join(","),
      "--threshold", "2", "--notice", "1d", "--key-env", KEY_ENV.RELAYER, "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const output = jsonOf(run);
    appId = output.appId as Hex;
    expect(appId).toMatch(/^0x[0-9a-f]{40}$/);
    expect(output.transactionHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(output.event.name).toBe("AppRegistered");
    expect(output.event.args.noticePeriod).toBe(String(DAY));
    const [signers, threshold, noticePeriod] = await chain.publicClient.readContract({
      address: chain.appRegistry, abi: appRegistryAbi, functionName: "getApp", args: [appId],
    });
    expect(signers).toEqual([SIGNER_A.address, SIGNER_B.address, SIGNER_C.address]);
    expect(threshold).toBe(2);
    expect(noticePeriod).toBe(BigInt(DAY));
  });

  it("explains an impossible threshold before sending anything", async () => {
    const run = await runCli([
      "app", "register", ...chain.chainFlags, "--signers", SIGNER_A.address, "--threshold", "2", "--notice", "30s", "--key-env", KEY_ENV.RELAYER,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("CONTRACT_REVERTED: registerApp refused: threshold 2 is invalid for 1 signer(s): it must be between 1 and 1");
  });
});

describe("basekms release hash", () => {
  it("prints the compose hash the agent computes, with the same code", async () => {
    const run = await runCli(["release", "hash", WATCH_HISTORY]);
    expect(run.code).toBe(0);
    const text = fs.readFileSync(WATCH_HISTORY, "utf8");
    expect(run.stdout.trim()).toBe(toHex0x(composeHashOfText(text)));
    expect(run.stdout.trim()).toBe(toHex0x(appComposeHash(text)));
  });

  it("notes when the file is not canonical JCS text (dstack would hash other bytes)", async () => {
    const pretty = writeFile(chain.dir, "pretty.json", JSON.stringify(JSON.parse(fs.readFileSync(WATCH_HISTORY, "utf8")), null, 2));
    const run = await runCli(["release", "hash", "--json", pretty]);
    expect(jsonOf(run)).toMatchObject({ canonical: false, composeHash: toHex0x(composeHashOfText(fs.readFileSync(WATCH_HISTORY, "utf8"))) });
  });
});

describe("basekms release sign + submit", () => {
  let fileA: string;
  let fileB: string;

  it("writes a signature file with the chain's nonce, the metadata and its digest, in --image order", async () => {
    fileA = await sign(KEY_ENV.A, WATCH_HISTORY, "a.json");
    fileB = await sign(KEY_ENV.B, WATCH_HISTORY, "b.json");
    const file = JSON.parse(fs.readFileSync(fileA, "utf8")) as Record<string, any>;
    expect(file).toMatchObject({
      kind: "Release",
      chainId: 31337,
      appId,
      nonce: 0,
      signer: SIGNER_A.address,
      composeHash: toHex0x(composeHashOfText(fs.readFileSync(WATCH_HISTORY, "utf8"))),
      metadata: { sourceCommit: COMMIT, imageDigests: [IMAGE_A, IMAGE_B], releaseTag: "v1.0.0" },
    });
    expect(file.verifyingContract.toLowerCase()).toBe(chain.appRegistry.toLowerCase());
    const digest = await chain.publicClient.readContract({
      address: chain.appRegistry, abi: appRegistryAbi, functionName: "hashRelease",
      args: [appId, file.composeHash, file.metadataDigest, file.nonce, BigInt(file.deadline)],
    });
    expect(file.signingDigest).toBe(digest);
  });

  it("submits 2 of 3 signatures from a relayer and prints the activation time; allowed only after the notice period", async () => {
    const run = await runCli(["release", "submit", ...chain.chainFlags, fileB, fileA, "--key-env", KEY_ENV.RELAYER, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const output = jsonOf(run);
    expect(output.event.name).toBe("ReleaseApproved");
    expect(output.approvers).toEqual([SIGNER_A.address, SIGNER_B.address].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)));
    expect(output.submitterSignatureDropped).toBe(false);
    expect(BigInt(output.activatesAt)).toBe(BigInt(output.blockTimestamp) + BigInt(DAY));
    expect(output.activatesAtIso).toBe(new Date(Number(output.activatesAt) * 1000).toISOString());
    expect(await isAllowed(WATCH_HISTORY)).toBe(false);
    await chain.increaseTime(DAY);
    expect(await isAllowed(WATCH_HISTORY)).toBe(true);
  });

  it("refuses to resubmit signatures whose nonce was used (SIGNATURE_NONCE_STALE)", async () => {
    const run = await runCli(["release", "submit", ...chain.chainFlags, fileA, fileB, "--key-env", KEY_ENV.RELAYER]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/SIGNATURE_NONCE_STALE: the signatures are for nonce 0 .* but the release is at nonce 1/);
  });

  it("a signer that submits approves by sending: its own signature file is left out, and the human output shows the activation", async () => {
    const compose = composeVariant("signer-submits");
    const a = await sign(KEY_ENV.A, compose, "s-a.json");
    const b = await sign(KEY_ENV.B, compose, "s-b.json");
    const run = await runCli(["release", "submit", ...chain.chainFlags, a, b, "--key-env", KEY_ENV.B]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/approved by 2 signer\(s\)\nactivates at \d{4}-\d\d-\d\dT.*Z \(unix \d+\)\n/);
    expect(run.stdout).toContain("its own signature file was left out");
    expect(run.stdout).toMatch(/transaction\s+0x[0-9a-f]{64}/);
    expect(run.stdout).toMatch(/event\s+ReleaseApproved/);
  });

  it("explains a non-signer's signature in words, before sending", async () => {
    const compose = composeVariant("non-signer");
    const a = await sign(KEY_ENV.A, compose, "n-a.json");
    const outsider = path.join(chain.dir, "n-outsider.json");
    const signRun = await runCli([
      "release", "sign", ...chain.chainFlags, "--app", appId, "--compose", compose, "--commit", COMMIT, "--image", IMAGE_A, "--image", IMAGE_B,
      "--tag", "v1.0.0", "--key-env", KEY_ENV.RELAYER, "--out", outsider,
    ]);
    expect(signRun.code).toBe(0);
    expect(signRun.stderr).toContain(`warning: ${RELAYER.address} is not a current release signer of app ${appId}`);
    const before = await chain.publicClient.getBlockNumber();
    const run = await runCli(["release", "submit", ...chain.chainFlags, a, outsider, "--key-env", KEY_ENV.C]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`CONTRACT_REVERTED: approveRelease refused: signer ${RELAYER.address} is not a current release signer of app ${appId}`);
    expect(await chain.publicClient.getBlockNumber()).toBe(before);
  });

  it("explains too few approvals", async () => {
    const compose = composeVariant("too-few");
    const a = await sign(KEY_ENV.A, compose, "f-a.json");
    const run = await runCli(["release", "submit", ...chain.chainFlags, a, "--key-env", KEY_ENV.RELAYER]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("only 1 approval(s) counted but the app needs 2");
  });

  it("refuses signature files that sign different releases (SIGNATURE_FILES_DISAGREE)", async () => {
    const a = await sign(KEY_ENV.A, composeVariant("disagree-1"), "d-a.json");
    const b = await sign(KEY_ENV.B, composeVariant("disagree-2"), "d-b.json");
    const run = await runCli(["release", "submit", ...chain.chainFlags, a, b, "--key-env", KEY_ENV.RELAYER]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/SIGNATURE_FILES_DISAGREE: .*d-a\.json and .*d-b\.json sign different messages: they differ in composeHash/);
  });

  it("refuses a signature file edited after signing (SIGNATURE_INVALID)", async () => {
    const a = await sign(KEY_ENV.A, composeVariant("forged"), "forged-a.json");
    const b = await sign(KEY_ENV.B, composeVariant("forged"), "forged-b.json");
    const edited = JSON.parse(fs.readFileSync(b, "utf8")) as Record<string, unknown>;
    edited.signer = SIGNER_C.address;
    fs.writeFileSync(b, JSON.stringify(edited));
    const run = await runCli(["release", "submit", ...chain.chainFlags, a, b, "--key-env", KEY_ENV.RELAYER]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`SIGNATURE_INVALID: ${b}: the signature was made by ${SIGNER_B.address}, not by ${SIGNER_C.address}`);
  });

  it("refuses signatures whose deadline passed (SIGNATURE_DEADLINE_PASSED)", async () => {
    const compose = composeVariant("late");
    const a = await sign(KEY_ENV.A, compose, "late-a.json", ["--deadline", "10m"]);
    const b = await sign(KEY_ENV.B, compose, "late-b.json", ["--deadline", "10m"]);
    await chain.increaseTime(3_600);
    const run = await runCli(["release", "submit", ...chain.chainFlags, a, b, "--key-env", KEY_ENV.RELAYER]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("SIGNATURE_DEADLINE_PASSED");
  });
});

describe("hardware wallet / Safe path", () => {
  it("prints eth_signTypedData_v4 JSON whose digest is the contract's hashRelease, and wraps an external signature into a file", async () => {
    const compose = composeVariant("hardware");
    const typedDataFile = path.join(chain.dir, "typed.json");
    const printed = await runCli([
      "release", "sign", ...chain.chainFlags, "--app", appId, "--compose", compose, "--commit", COMMIT, "--image", IMAGE_A, "--image", IMAGE_B,
      "--tag", "v1.0.0", "--print-typed-data", "--out", typedDataFile,
    ]);
    expect(printed.code, printed.stderr).toBe(0);
    const typedData = JSON.parse(fs.readFileSync(typedDataFile, "utf8")) as { types: Record<string, any>; domain: any; message: any; primaryType: string };
    expect(typedData.primaryType).toBe("Release");
    const { EIP712Domain: _domainType, ...types } = typedData.types;
    const onChainDigest = await chain.publicClient.readContract({
      address: chain.appRegistry, abi: appRegistryAbi, functionName: "hashRelease",
      args: [typedData.message.appId, typedData.message.composeHash, typedData.message.metadataDigest, Number(typedData.message.nonce), BigInt(typedData.message.deadline)],
    });
    expect(TypedDataEncoder.hash(typedData.domain, types, typedData.message)).toBe(onChainDigest);
    expect(printed.stderr).toContain(`EIP-712 digest to sign: ${onChainDigest}`);

    expect(printed.stderr).toContain(`run the same command with --deadline-at ${typedData.message.deadline} --signer <address> --signature <hex>`);
    await chain.increaseTime(60); // the wallet takes its time; the pinned deadline keeps the message the same

    // The "hardware wallet": signs the printed JSON as it is.
    const signature = await SIGNER_C.signTypedData({
      domain: typedData.domain, types, primaryType: "Release",
      message: { ...typedData.message, deadline: BigInt(typedData.message.deadline) },
    } as never);
    const cFile = path.join(chain.dir, "hw-c.json");
    const wrap = await runCli([
      "release", "sign", ...chain.chainFlags, "--app", appId, "--compose", compose, "--commit", COMMIT, "--image", IMAGE_A, "--image", IMAGE_B,
      "--tag", "v1.0.0", "--deadline-at", String(typedData.message.deadline), "--signer", SIGNER_C.address, "--signature", signature, "--out", cFile,
    ]);
    expect(wrap.code, wrap.stderr).toBe(0);
    const a = await sign(KEY_ENV.A, compose, "hw-a.json", ["--deadline-at", String(typedData.message.deadline)]);
    const submit = await runCli(["release", "submit", ...chain.chainFlags, a, cFile, "--key-env", KEY_ENV.RELAYER, "--json"]);
    expect(submit.code, submit.stderr).toBe(0);
    expect(jsonOf(submit).approvers).toContain(SIGNER_C.address);
  });

  it("refuses an external signature that the named signer did not make (SIGNATURE_INVALID)", async () => {
    const run = await runCli([
      "release", "sign", ...chain.chainFlags, "--app", appId, "--compose", WATCH_HISTORY, "--commit", COMMIT, "--image", IMAGE_A,
      "--tag", "v2", "--signer", SIGNER_C.address, "--signature", `0x${"11".repeat(65)}`,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("SIGNATURE_INVALID");
  });
});

describe("basekms release revoke", () => {
  it("revokes at once with one signer, by compose file", async () => {
    expect(await isAllowed(WATCH_HISTORY)).toBe(true);
    const run = await runCli(["release", "revoke", ...chain.chainFlags, "--app", appId, "--compose", WATCH_HISTORY, "--key-env", KEY_ENV.C]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/event\s+ReleaseRevoked/);
    expect(await isAllowed(WATCH_HISTORY)).toBe(false);
  });

  it("explains revoking twice and revoking by a non-signer", async () => {
    const composeHash = toHex0x(composeHashOfText(fs.readFileSync(WATCH_HISTORY, "utf8")));
    const twice = await runCli(["release", "revoke", ...chain.chainFlags, "--app", appId, "--compose-hash", composeHash, "--key-env", KEY_ENV.A]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`the release of compose hash ${composeHash} for app ${appId} is already revoked`);
    const outsider = await runCli(["release", "revoke", ...chain.chainFlags, "--app", appId, "--compose", DIRECT_MESSAGES, "--key-env", KEY_ENV.RELAYER]);
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toContain(`signer ${RELAYER.address} is not a current release signer of app ${appId}`);
  });

  it("a revoked release can be approved again with signatures for the next nonce", async () => {
    const a = await sign(KEY_ENV.A, WATCH_HISTORY, "again-a.json");
    const b = await sign(KEY_ENV.B, WATCH_HISTORY, "again-b.json");
    expect(JSON.parse(fs.readFileSync(a, "utf8")).nonce).toBe(1);
    const run = await runCli(["release", "submit", ...chain.chainFlags, a, b, "--key-env", KEY_ENV.RELAYER, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonOf(run).event.args.nonce).toBe(1);
  });
});

describe("basekms app show", () => {
  it("prints the configuration and every release known from events, with its state", async () => {
    const run = await runCli(["app", "show", ...chain.chainFlags, appId, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const state = jsonOf(run);
    expect(state).toMatchObject({ appId, threshold: 2, noticePeriod: String(DAY), configVersion: "1", frozen: false });
    const watch = (state.releases as any[]).find((release) => release.composeHash === toHex0x(composeHashOfText(fs.readFileSync(WATCH_HISTORY, "utf8"))));
    expect(watch.state).toBe("pending");
    expect(watch.nonce).toBe(2);
    expect(watch.approvals).toHaveLength(2);
    expect(watch.revocations).toHaveLength(1);
    const human = await runCli(["app", "show", ...chain.chainFlags, appId]);
    expect(human.stdout).toMatch(/threshold\s+2 of 3/);
    expect(human.stdout).toMatch(/notice period\s+1d/);
    expect(human.stdout).toMatch(/PENDING\s+pending, activates at/);
  });

  it("explains an unknown app", async () => {
    const run = await runCli(["app", "show", ...chain.chainFlags, `0x${"77".repeat(20)}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no app 0x${"77".repeat(20)} is registered in this AppRegistry`);
  });
});

describe("keys and usage", () => {
  it("signs with a V3 keystore and the password from BASEKMS_KEYSTORE_PASSWORD", async () => {
    const keystore = writeFile(chain.dir, "keystore.json", encryptTestKeystore(DEV_KEYS[2], "hunter2", { kdf: "scrypt" }));
    process.env.BASEKMS_KEYSTORE_PASSWORD = "hunter2";
    try {
      const run = await runCli([
        "release", "sign", ...chain.chainFlags, "--app", appId, "--compose", WATCH_HISTORY, "--commit", COMMIT, "--image", IMAGE_A, "--tag", "v3",
        "--keystore", keystore,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).signer).toBe(SIGNER_B.address);
    } finally {
      delete process.env.BASEKMS_KEYSTORE_PASSWORD;
    }
  });

  it("exits 2 without a key, with a key pasted into --key-env (not echoed), and with bad metadata flags", async () => {
    const noKey = await runCli(["release", "submit", ...chain.chainFlags, path.join(chain.dir, "a.json")]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("USAGE: this command needs a key");
    const pasted = await runCli(["release", "revoke", ...chain.chainFlags, "--app", appId, "--compose", WATCH_HISTORY, "--key-env", DEV_KEYS[1]]);
    expect(pasted.code).toBe(2);
    expect(pasted.stderr).toContain("treat that key as leaked");
    expect(pasted.stderr).not.toContain(DEV_KEYS[1].slice(2));
    const badCommit = await runCli([
      "release", "sign", ...chain.chainFlags, "--app", appId, "--compose", WATCH_HISTORY, "--commit", "abc", "--image", IMAGE_A, "--tag", "v1",
      "--key-env", KEY_ENV.A,
    ]);
    expect(badCommit.code).toBe(2);
    expect(badCommit.stderr).toMatch(/--commit\/--image\/--tag: sourceCommit must be a full git commit/);
  });

  it("exits 2 for a deployment file of another chain", async () => {
    const other = writeFile(chain.dir, "other.json", JSON.stringify({ ...chain.deployment, chainId: 8453 }));
    const run = await runCli(["app", "show", "--rpc", chain.node.url, "--deployment", other, appId]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is for chain 8453, but the RPC serves chain 31337");
  });
});
