import { randomBytes } from "node:crypto";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Address } from "viem";
import { fromHex } from "../../core/bytes";
import { composeHash } from "../../core/attestation/composeHash";
import { APP_ID_EVENT, COMPOSE_HASH_EVENT, INSTANCE_ID_EVENT } from "../../core/attestation/eventlog";
import { TdxSimulator } from "../../core/attestation/simulator/tdxSimulator";
import { KmsError } from "../errors";

/**
 * Where the KMS gets quotes about itself: for `/health` (report_data binds its identity
 * address) and, when joining, for onboarding (report_data binds the nonce and its X25519 key).
 */
export interface OwnAttestation {
  kind: "simulator" | "configfs-tsm";
  quote(reportData: Uint8Array): Promise<Uint8Array>;
  /** This VM's RTMR3 event log, in dstack's JSON shape. */
  eventLog(): unknown[];
}

/**
 * The sandbox KMS's own app description: its compose hash is the `compose-hash` event of
 * its simulated VM, and with the platform hash it forms the KMS measurement governance
 * allows (`core/attestation/kmsMeasurement.ts`).
 */
export const SANDBOX_KMS_COMPOSE = Object.freeze({
  name: "basekms-kms",
  network: "sandbox",
  command: "basekms kms serve",
  protocol: "basekms/v1",
});

/**
 * Sandbox: a simulated TD whose RTMR3 holds the dstack runtime events a real KMS VM would
 * have: `app-id` = the PlatformPolicy address (the contract that governs KMSes),
 * `compose-hash` = composeHash(SANDBOX_KMS_COMPOSE), `instance-id` = the identity address.
 */
export function createSandboxAttestation(parameters: { platformPolicy: Address; identity: Address }): OwnAttestation {
  const simulator = new TdxSimulator();
  simulator.extendRtmr3(APP_ID_EVENT, fromHex(parameters.platformPolicy));
  simulator.extendRtmr3(COMPOSE_HASH_EVENT, composeHash(SANDBOX_KMS_COMPOSE));
  simulator.extendRtmr3(INSTANCE_ID_EVENT, fromHex(parameters.identity));
  return {
    kind: "simulator",
    quote: async (reportData) => simulator.getQuote(reportData),
    eventLog: () => simulator.eventLog(),
  };
}

export const TSM_REPORT_ROOT = "/sys/kernel/config/tsm/report";

/**
 * Sealed: quotes through the Linux configfs-tsm interface. A report is a directory under
 * `/sys/kernel/config/tsm/report`: write the 64-byte report_data to `inblob`, read the
 * quote from `outblob`, remove the directory. The event log is the JSON file dstack writes
 * (`BASEKMS_EVENT_LOG_FILE`); without it the KMS serves an empty log and cannot onboard.
 */
export function createTsmAttestation(parameters: { eventLog: unknown[]; reportRoot?: string }): OwnAttestation {
  const root = parameters.reportRoot ?? TSM_REPORT_ROOT;
  return {
    kind: "configfs-tsm",
    quote: async (reportData) => {
      const entry = path.join(root, `basekms-${process.pid}-${randomBytes(6).toString("hex")}`);
      try {
        await mkdir(entry);
        await writeFile(path.join(entry, "inblob"), reportData);
        const quote = new Uint8Array(await readFile(path.join(entry, "outblob")));
        if (quote.length === 0) throw new Error("empty outblob");
        return quote;
      } catch (cause) {
        throw new KmsError("TDX_UNAVAILABLE", `configfs-tsm did not produce a quote under ${root}`, { cause });
      } finally {
        await rmdir(entry).catch(() => undefined);
      }
    },
    eventLog: () => parameters.eventLog,
  };
}

/** Reads the sealed VM's event log file (JSON); a missing setting is an empty log. */
export async function readEventLogFile(file: string | undefined): Promise<unknown[]> {
  if (file === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (cause) {
    throw new KmsError("TDX_UNAVAILABLE", `cannot read the RTMR3 event log ${file}`, { cause });
  }
  if (Array.isArray(parsed)) return parsed;
  const inner = (parsed as { event_log?: unknown } | null)?.event_log;
  if (Array.isArray(inner)) return inner;
  if (typeof inner === "string") return readEventLogText(inner, file);
  throw new KmsError("TDX_UNAVAILABLE", `the RTMR3 event log ${file} is not an array of events`);
}

function readEventLogText(text: string, file: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new KmsError("TDX_UNAVAILABLE", `the RTMR3 event log in ${file} is not JSON`, { cause });
  }
  if (!Array.isArray(parsed)) throw new KmsError("TDX_UNAVAILABLE", `the RTMR3 event log ${file} is not an array of events`);
  return parsed;
}
