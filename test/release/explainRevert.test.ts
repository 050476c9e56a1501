import type { AbiError } from "abitype";
import { encodeErrorResult, getAddress, type Abi, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { describeContractError, explainRevert, explainRevertData, formatDuration } from "../../core/contracts/explainRevert";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";

const APP_ID: Hex = "0x12ab000000000000000000000000000000000034";
const SIGNER: Hex = getAddress("0xab00000000000000000000000000000000000001");
const COMPOSE: Hex = `0x${"c0".repeat(32)}`;

const allErrors = ([...appRegistryAbi, ...platformPolicyAbi] as readonly Abi[number][]).filter((item): item is AbiError => item.type === "error");

/** Plausible arguments for any error's inputs. */
function sampleArgs(error: AbiError): unknown[] {
  return error.inputs.map((input) => {
    if (input.type === "address") return SIGNER;
    if (input.type === "bytes20") return APP_ID;
    if (input.type === "bytes32") return COMPOSE;
    if (input.type === "string") return "x";
    if (input.type === "uint8" || input.type === "uint16") return 7;
    return 7n;
  });
}

describe("explainRevertData", () => {
  it("explains AppRegistryNotASigner with the signer and the app, in words", () => {
    const data = encodeErrorResult({ abi: appRegistryAbi, errorName: "AppRegistryNotASigner", args: [APP_ID, SIGNER] });
    const explanation = explainRevertData(data);
    expect(explanation.errorName).toBe("AppRegistryNotASigner");
    expect(explanation.message).toBe(`signer ${SIGNER} is not a current release signer of app ${APP_ID}`);
  });

  it("has a sentence for every custom error of both contracts, never just the selector", () => {
    for (const error of allErrors) {
      const data = encodeErrorResult({ abi: [error] as Abi, errorName: error.name, args: sampleArgs(error) } as never);
      const explanation = explainRevertData(data);
      const selector = data.slice(0, 10);
      expect(explanation.errorName, error.name).toBe(error.name);
      expect(explanation.message, error.name).not.toContain(selector);
      expect(explanation.message, error.name).not.toMatch(/no explanation/);
      expect(explanation.message.split(" ").length, error.name).toBeGreaterThan(4);
    }
  });

  it("puts the numbers that matter into the sentence", () => {
    const insufficient = encodeErrorResult({ abi: appRegistryAbi, errorName: "AppRegistryInsufficientSignatures", args: [1n, 2n] });
    expect(explainRevertData(insufficient).message).toMatch(/only 1 approval\(s\) counted but the app needs 2/);
    const deadline = encodeErrorResult({ abi: appRegistryAbi, errorName: "AppRegistryDeadlineExpired", args: [1767225600n] });
    expect(explainRevertData(deadline).message).toContain("2026-01-01T00:00:00.000Z");
    const notice = encodeErrorResult({ abi: appRegistryAbi, errorName: "AppRegistryNoticePeriodTooLong", args: [400n * 86400n, 365n * 86400n] });
    expect(explainRevertData(notice).message).toBe("notice period 400d is longer than the maximum 365d");
    const mask = encodeErrorResult({ abi: platformPolicyAbi, errorName: "PlatformPolicyInvalidTcbStatusMask", args: [0x40] });
    expect(explainRevertData(mask).message).toBe("TCB status mask 0x40 sets a bit above 5 (OutOfDateConfigurationNeeded)");
  });

  it("explains Error(string) and Panic(uint256)", () => {
    const errorData = encodeErrorResult({
      abi: [{ type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] }],
      errorName: "Error",
      args: ["nope"],
    });
    expect(explainRevertData(errorData).message).toBe('the contract reverted with the message "nope"');
    const panicData = encodeErrorResult({ abi: [{ type: "error", name: "Panic", inputs: [{ name: "code", type: "uint256" }] }], errorName: "Panic", args: [0x11n] });
    expect(explainRevertData(panicData).message).toBe("the contract panicked with code 0x11 (an arithmetic overflow or underflow)");
  });

  it("explains an unknown selector in words and points at the deployment file", () => {
    const explanation = explainRevertData("0xdeadbeef");
    expect(explanation.errorName).toBe("UnknownError");
    expect(explanation.message).toMatch(/neither the AppRegistry nor the PlatformPolicy ABI/);
  });

  it("explains an empty revert", () => {
    expect(explainRevertData("0x").message).toMatch(/without a reason/);
  });
});

describe("explainRevert", () => {
  it("finds the revert data inside a viem error chain", () => {
    const data = encodeErrorResult({ abi: appRegistryAbi, errorName: "AppRegistryUnknownApp", args: [APP_ID] });
    const reverted = Object.assign(new Error("reverted"), { name: "ContractFunctionRevertedError", raw: data });
    const outer = Object.assign(new Error("execution failed"), { name: "ContractFunctionExecutionError", cause: reverted });
    const explanation = explainRevert(outer);
    expect(explanation?.errorName).toBe("AppRegistryUnknownApp");
    expect(explanation?.message).toMatch(new RegExp(`no app ${APP_ID} is registered`));
  });

  it("finds raw revert data on an RPC error (estimateGas, sendTransaction)", () => {
    const data = encodeErrorResult({ abi: platformPolicyAbi, errorName: "PlatformPolicyUnauthorized", args: [SIGNER] });
    const rpc = Object.assign(new Error("execution reverted"), { name: "RpcRequestError", data });
    const outer = Object.assign(new Error("tx failed"), { name: "TransactionExecutionError", cause: rpc });
    expect(explainRevert(outer)?.message).toBe(`${SIGNER} is not the PlatformPolicy governance (nor, for acceptGovernance, the pending governance)`);
  });

  it("returns undefined for an error that is not a revert (so the caller reports it as it is)", () => {
    expect(explainRevert(new Error("connect ECONNREFUSED 127.0.0.1:8545"))).toBeUndefined();
  });
});

describe("describeContractError", () => {
  it("says so when it meets an error it has no sentence for", () => {
    expect(describeContractError("SomethingNew", [])).toMatch(/SomethingNew, which basekms has no explanation for/);
  });
});

describe("formatDuration", () => {
  it("uses the largest unit that divides the seconds", () => {
    expect(formatDuration(86400n)).toBe("1d");
    expect(formatDuration(5400)).toBe("90m");
    expect(formatDuration(61)).toBe("61s");
    expect(formatDuration(0)).toBe("0s");
  });
});
