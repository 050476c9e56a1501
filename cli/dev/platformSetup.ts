import type { Address, Hex } from "viem";
import { toHex0x } from "../../core/bytes";
import { platformHash } from "../../core/attestation/platformHash";
import { TdxSimulator } from "../../core/attestation/simulator/tdxSimulator";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { changeAllowedTcbStatuses } from "../../scripts/maintainer/changeAllowedTcbStatuses";
import type { MaintainerWriter } from "../../scripts/maintainer/client";
import { registerKmsIdentity } from "../../scripts/maintainer/registerKmsIdentity";
import { setKmsMeasurementAllowed } from "../../scripts/maintainer/setKmsMeasurementAllowed";
import { setPlatformAllowed } from "../../scripts/maintainer/setPlatformAllowed";
import { parseTcbStatusNames } from "../../scripts/maintainer/tcbStatusMask";
import type { OwnEvidence } from "../../kms/identity/ownEvidence";

/**
 * What governance does before the sandbox can release a key, through the same actions as
 * `basekms platform allow`: allow the simulated TD platform and its TCB status, then allow the
 * KMS's measurement and register its identity with the hash of the quote that binds it.
 */
export const SIMULATOR_TCB_STATUS = "UpToDate";

export interface PlatformSetup {
  platformHash: Hex;
  tcbStatus: string;
  /** False when the contract's initial mask already accepted it (no transaction then). */
  tcbStatusChanged: boolean;
  blockNumber: bigint;
}

export async function allowSimulatorPlatform(governance: MaintainerWriter): Promise<PlatformSetup> {
  const hash = toHex0x(platformHash(new TdxSimulator().measurements));
  const allowed = await setPlatformAllowed(governance, { platformHash: hash, allowed: true });
  const mask = parseTcbStatusNames("--tcb", SIMULATOR_TCB_STATUS);
  const current = Number(
    await governance.publicClient.readContract({ address: governance.platformPolicy, abi: platformPolicyAbi, functionName: "allowedTcbStatuses" }),
  );
  if ((current & mask) === mask) return { platformHash: hash, tcbStatus: SIMULATOR_TCB_STATUS, tcbStatusChanged: false, blockNumber: allowed.blockNumber };
  const changed = await changeAllowedTcbStatuses(governance, { mask, allowed: true });
  return { platformHash: hash, tcbStatus: SIMULATOR_TCB_STATUS, tcbStatusChanged: true, blockNumber: changed.blockNumber };
}

export interface KmsRegistration {
  kms: Address;
  measurement: Hex;
  quoteHash: Hex;
  blockNumber: bigint;
}

export async function registerSandboxKms(governance: MaintainerWriter, evidence: OwnEvidence): Promise<KmsRegistration> {
  if (evidence.measurement === null) throw new Error("the sandbox KMS reported no measurement: its event log does not replay to its quote");
  const measurement = `0x${evidence.measurement}` as Hex;
  const quoteHash = `0x${evidence.quoteSha256}` as Hex;
  await setKmsMeasurementAllowed(governance, { measurement, allowed: true });
  const registered = await registerKmsIdentity(governance, { kms: evidence.address, quoteHash, measurement });
  return { kms: evidence.address, measurement, quoteHash, blockNumber: registered.blockNumber };
}
