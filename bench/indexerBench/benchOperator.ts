/**
 * The fastest way found to put 100,000 policy events on a local chain: a helper contract that is
 * the sole signer of the apps it registers and the governance of PlatformPolicy, so one
 * transaction emits hundreds of real AppRegistry / PlatformPolicy events (the contracts are the
 * deployed ones; only the caller is batched). Measured alternatives: one signed transaction per
 * approval costs ~1-3 ms of RPC and signing each, and batching transactions into one block with
 * automine off saves nothing, as execution dominates. Compiled at run time with the pinned solc-js.
 */
import type { Abi, Hex } from "viem";

export const BENCH_OPERATOR_SOURCE = `// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

interface IAppRegistry {
    struct SignerSignature { address signer; bytes signature; }
    function registerApp(address[] calldata signers, uint8 threshold, uint64 noticePeriod) external returns (bytes20);
    function approveRelease(bytes20 appId, bytes32 composeHash, bytes32 metadataDigest, uint64 deadline, SignerSignature[] calldata signatures) external;
    function revokeRelease(bytes20 appId, bytes32 composeHash) external;
}

interface IPlatformPolicy {
    function setPlatformAllowed(bytes32 platformHash, bool allowed) external;
}

contract BenchOperator {
    function registerApps(IAppRegistry registry, uint256 count, uint64 noticePeriod) external {
        address[] memory signers = new address[](1);
        signers[0] = address(this);
        for (uint256 i = 0; i < count; i++) registry.registerApp(signers, 1, noticePeriod);
    }

    /// For each app: approves compose hashes first .. first + count - 1, then revokes every revokeEvery-th one.
    function approveMany(IAppRegistry registry, bytes20[] calldata appIds, uint256 first, uint256 count, uint256 revokeEvery) external {
        IAppRegistry.SignerSignature[] memory none = new IAppRegistry.SignerSignature[](0);
        for (uint256 a = 0; a < appIds.length; a++) {
            for (uint256 i = 0; i < count; i++) {
                registry.approveRelease(appIds[a], bytes32(first + i), bytes32(first + i), type(uint64).max, none);
            }
            if (revokeEvery == 0) continue;
            for (uint256 i = 0; i < count; i += revokeEvery) registry.revokeRelease(appIds[a], bytes32(first + i));
        }
    }

    function setPlatforms(IPlatformPolicy policy, uint256 first, uint256 count, bool allowed) external {
        for (uint256 i = 0; i < count; i++) policy.setPlatformAllowed(bytes32(first + i), allowed);
    }
}
`;

export interface CompiledContract {
  readonly abi: Abi;
  readonly bytecode: Hex;
}

export function compileBenchOperator(): CompiledContract {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { "BenchOperator.sol": { content: BENCH_OPERATOR_SOURCE } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", outputSelection: { "*": { BenchOperator: ["abi", "evm.bytecode.object"] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: Array<{ severity: string; formattedMessage: string }>;
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((error) => error.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((error) => error.formattedMessage).join("\n"));
  const contract = output.contracts["BenchOperator.sol"]!.BenchOperator!;
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}
