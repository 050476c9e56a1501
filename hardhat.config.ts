import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";

/**
 * Solidity compiles offline: the compiler is the npm `solc` package (solc-js), pinned
 * in package.json. Hardhat would otherwise download a native compiler, and there is
 * no network here, in CI or in a reproducible build.
 */
const SOLC_VERSION = "0.8.28";

/**
 * Hardhat 2 fetches a banner and a version notice from GitHub after tasks run on a TTY,
 * and may ask for telemetry. basekms never sends traffic beyond loopback, so both are
 * switched off here, before any task runs.
 */
function keepHardhatOffline(): void {
  process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";
  const noop = async (): Promise<void> => {};
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("hardhat/internal/cli/banner-manager").BannerManager.prototype.showBanner = noop;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("hardhat/internal/cli/version-notifier").showNewVersionNotification = noop;
  } catch {
    // Internal paths moved: nothing to patch.
  }
}
keepHardhatOffline();

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
      viaIR: false,
    },
  },
  paths: {
    sources: "./contracts",
    tests: "./test/contracts",
    cache: "./cache",
    artifacts: "./artifacts",
  },
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: process.env.BASEKMS_RPC_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
  },
  mocha: { timeout: 60_000 },
  gasReporter: { enabled: false },
};

export default config;
