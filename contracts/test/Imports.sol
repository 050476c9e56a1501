// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

// Test-only: makes Hardhat compile OpenZeppelin's TimelockController, so the PlatformPolicy tests
// can hand governance to a real timelock. Never deployed outside tests.
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
