import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadIndexerConfig } from "../../indexer/config";

const deploymentFile = (() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-indexer-config-"));
  const file = path.join(dir, "31337.json");
  const contract = (n: number) => ({ address: `0x${String(n).repeat(40)}`, blockNumber: n, blockHash: `0x${"a".repeat(64)}`, transactionHash: `0x${"b".repeat(64)}` });
  fs.writeFileSync(file, JSON.stringify({ chainId: 31337, deployer: `0x${"1".repeat(40)}`, governance: `0x${"1".repeat(40)}`, deployedAt: "2026-01-01", contracts: { AppRegistry: contract(2), PlatformPolicy: contract(3) } }));
  return file;
})();

describe("loadIndexerConfig", () => {
  it("reads flags, falls back to the environment, and freezes the result", () => {
    const config = loadIndexerConfig({ BASEKMS_RPC_URL: "http://127.0.0.1:8545", BASEKMS_CONFIRMATIONS: "7" }, { deployment: deploymentFile, port: "0", kms: "http://kms.local/" });
    expect(config).toMatchObject({ rpcUrl: "http://127.0.0.1:8545", confirmations: 7, port: 0, kmsUrl: "http://kms.local", host: "127.0.0.1", pollIntervalMs: 1000 });
    expect(config.dbFile).toBe(path.resolve("basekms-indexer-31337.sqlite"));
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadIndexerConfig({ BASEKMS_CONFIRMATIONS: "7" }, { rpc: "http://a.test", deployment: deploymentFile, confirmations: "1" }).confirmations).toBe(1);
  });

  it.each([
    [{}, { deployment: deploymentFile }, "USAGE", "--rpc"],
    [{}, { rpc: "http://a.test" }, "USAGE", "--deployment"],
    [{}, { rpc: "ftp://a.test", deployment: deploymentFile }, "CONFIG_INVALID", "--rpc"],
    [{ BASEKMS_INDEXER_PORT: "99999" }, { rpc: "http://a.test", deployment: deploymentFile }, "CONFIG_INVALID", "BASEKMS_INDEXER_PORT"],
    [{}, { rpc: "http://a.test", deployment: deploymentFile, confirmations: "-1" }, "CONFIG_INVALID", "--confirmations"],
    [{}, { rpc: "http://a.test", deployment: deploymentFile, logLevel: "loud" }, "CONFIG_INVALID", "log level"],
    [{}, { rpc: "http://a.test", deployment: "/nonexistent.json" }, "CONFIG_INVALID", "/nonexistent.json"],
  ])("refuses a bad setting with a message naming it (%#)", (env, flags, code, named) => {
    expect(() => loadIndexerConfig(env, flags)).toThrowError(expect.objectContaining({ code, message: expect.stringContaining(named) }));
  });
});
