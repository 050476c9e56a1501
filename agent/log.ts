/** Where the agent tells a person what it is doing. Never handed key material. */
export interface AgentLog {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLog: AgentLog = { info() {}, warn() {} };

/** Lines on stderr: stdout may carry the key (`--out -`) or the `--json` result. */
export function stderrLog(prefix = "basekms agent"): AgentLog {
  return {
    info: (message) => process.stderr.write(`${prefix}: ${message}\n`),
    warn: (message) => process.stderr.write(`${prefix}: WARNING: ${message}\n`),
  };
}

/** The loud banner printed whenever quotes come from the simulator. */
export const SIMULATOR_WARNING =
  "SANDBOX ONLY: quotes come from the TDX SIMULATOR, signed by the development CA. " +
  "Only a sandbox KMS accepts them, and nothing this agent holds is protected by TDX.";
