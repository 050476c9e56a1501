import fs from "node:fs";
import path from "node:path";
import { getAddress, type Abi, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { walletClientFor } from "../../core/chain/clients";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { DEV_ACCOUNTS, DEV_KEYS } from "./maintainerFixtures";
import { jsonOf, runCli, startMaintainerChain, type MaintainerChain } from "./maintainerHarness";

/**
 * The Safe path: a contract-wallet signer (contracts/test/MockERC1271Wallet.sol, which accepts
 * its owner's ECDSA signature over the digest, like a 1-of-1 Safe) signs the printed typed
 * data; the CLI checks the signature through ERC-1271 before writing the file, and the
 * contract accepts the bundle.
 */
const ROOT = path.resolve(__dirname, "../..");
const WATCH_HISTORY = path.join(ROOT, "examples/social-watch-history/app-compose.json");
const [RELAYER, SIGNER_A, , WALLET_OWNER] = DEV_ACCOUNTS as [typeof DEV_ACCOUNTS[0], typeof DEV_ACCOUNTS[0], typeof DEV_ACCOUNTS[0], typeof DEV_ACCOUNTS[0]];
const RELEASE_FLAGS = ["--compose", WATCH_HISTORY, "--commit", "1f2e3d4c5b6a79880716253443526170f9e8d7c6", "--image", `sha256:${"0a".repeat(32)}`, "--tag", "v1.0.0"];

let chain: MaintainerChain;
let wallet: Address;
let appId: Hex;

/** Compiles the mock wallet with solc-js (the same compiler Hardhat uses here), so the test needs no build step. */
function compileMockWallet(): { abi: Abi; bytecode: Hex } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { compile(input: string, callbacks: { import(file: string): { contents: string } | { error: string } }): string };
  const input = {
    language: "Solidity",
    sources: { "MockERC1271Wallet.sol": { content: fs.readFileSync(path.join(ROOT, "contracts/test/MockERC1271Wallet.sol"), "utf8") } },
    settings: { evmVersion: "cancun", outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (file) => {
        try {
          return { contents: fs.readFileSync(path.join(ROOT, "node_modules", file), "utf8") };
        } catch {
          return { error: `not found: ${file}` };
        }
      },
    }),
  ) as { contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>> };
  const contract = output.contracts["MockERC1271Wallet.sol"]?.MockERC1271Wallet;
  if (!contract) throw new Error("MockERC1271Wallet did not compile");
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

beforeAll(async () => {
  chain = await startMaintainerChain();
  process.env.CW_RELAYER_KEY = DEV_KEYS[0];
  process.env.CW_SIGNER_A_KEY = DEV_KEYS[1];
  const { abi, bytecode } = compileMockWallet();
  const deployer = Object.assign(walletClientFor(chain.publicClient, RELAYER, chain.node.url), { account: RELAYER });
  const hash = await deployer.deployContract({ abi, bytecode, args: [WALLET_OWNER.address, false], account: RELAYER, chain: chain.publicClient.chain });
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  wallet = getAddress(receipt.contractAddress as Address);
  const register = await runCli([
    "app", "register", ...chain.chainFlags, "--signers", `${SIGNER_A.address},${wallet}`, "--threshold", "2", "--notice", "0", "--key-env", "CW_RELAYER_KEY", "--json",
  ]);
  appId = jsonOf(register).appId as Hex;
});

afterAll(async () => {
  delete process.env.CW_RELAYER_KEY;
  delete process.env.CW_SIGNER_A_KEY;
  await chain?.stop();
});

describe("a contract wallet (Safe-like) as a release signer", () => {
  it("wraps an ERC-1271 signature into a signature file and the release is approved with it", async () => {
    const printed = await runCli(["release", "sign", ...chain.chainFlags, "--app", appId, ...RELEASE_FLAGS, "--print-typed-data"]);
    expect(printed.code, printed.stderr).toBe(0);
    const typedData = JSON.parse(printed.stdout) as { types: Record<string, any>; domain: any; message: any };
    const { EIP712Domain: _domain, ...types } = typedData.types;
    const signature = await WALLET_OWNER.signTypedData({
      domain: typedData.domain, types, primaryType: "Release", message: { ...typedData.message, deadline: BigInt(typedData.message.deadline) },
    } as never);
    const deadlineAt = ["--deadline-at", String(typedData.message.deadline)];

    const walletFile = path.join(chain.dir, "wallet.sig.json");
    const wrap = await runCli(["release", "sign", ...chain.chainFlags, "--app", appId, ...RELEASE_FLAGS, ...deadlineAt, "--signer", wallet, "--signature", signature, "--out", walletFile]);
    expect(wrap.code, wrap.stderr).toBe(0);
    expect(wrap.stderr).not.toContain("warning");

    const aFile = path.join(chain.dir, "a.sig.json");
    expect((await runCli(["release", "sign", ...chain.chainFlags, "--app", appId, ...RELEASE_FLAGS, ...deadlineAt, "--key-env", "CW_SIGNER_A_KEY", "--out", aFile])).code).toBe(0);
    const submit = await runCli(["release", "submit", ...chain.chainFlags, aFile, walletFile, "--key-env", "CW_RELAYER_KEY", "--json"]);
    expect(submit.code, submit.stderr).toBe(0);
    expect(jsonOf(submit).approvers).toContain(wallet);
    const composeHash = JSON.parse(fs.readFileSync(aFile, "utf8")).composeHash as Hex;
    expect(await chain.publicClient.readContract({ address: chain.appRegistry, abi: appRegistryAbi, functionName: "isReleaseAllowed", args: [appId, composeHash] })).toBe(true);
  });

  it("refuses a signature the wallet does not accept (SIGNATURE_INVALID, via ERC-1271)", async () => {
    const notTheOwner = await SIGNER_A.signMessage({ message: "not a release" });
    const run = await runCli(["release", "sign", ...chain.chainFlags, "--app", appId, ...RELEASE_FLAGS, "--tag", "v2", "--signer", wallet, "--signature", notTheOwner]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`SIGNATURE_INVALID: --signature: contract wallet ${wallet} does not accept the signature (ERC-1271) for this Release message`);
  });
});
