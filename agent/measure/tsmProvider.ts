import {
  assertRuntimeEventName,
  dstackEventDigest,
  isRuntimeEvent,
  Rtmr3EventLog,
  type TdxEvent,
} from "../../core/attestation/eventlog";
import { AttestationError } from "../../core/attestation/errors";
import { AgentError } from "../errors";
import { configfsTsmQuote, DEFAULT_TSM_REPORT_ROOT } from "./configfsTsm";
import { loadEventLogFile, saveEventLogFile } from "./eventLogFile";
import type { MeasurementProvider } from "./provider";
import { nodeTsmFileSystem, type TsmFileSystem } from "./tsmFileSystem";

/**
 * RTMR3 extension through the kernel's TSM measurement-register interface (Linux 6.16+,
 * `tdx_guest`): writing a 48-byte SHA-384 digest to this file extends RTMR3 with it.
 */
export const DEFAULT_RTMR3_PATH = "/sys/class/misc/tdx_guest/measurements/rtmr3:sha384";
/** Where the agent keeps this boot's RTMR3 event log (a tmpfs: it must not outlive the boot). */
export const DEFAULT_EVENT_LOG_FILE = "/run/basekms/rtmr3.json";

export interface TsmProviderOptions {
  rtmr3Path?: string;
  reportRoot?: string;
  /** Persisted event log; `null` keeps it in memory only. */
  eventLogFile?: string | null;
  fileSystem?: TsmFileSystem;
  warn?: (message: string) => void;
}

/**
 * A real TDX guest: RTMR3 through sysfs, quotes through configfs-tsm.
 *
 * The older `TDX_CMD_EXTEND_RTMR` ioctl on `/dev/tdx_guest` is not used: Node cannot issue an
 * ioctl without a native addon, and this project ships none. On a kernel without the sysfs
 * file, extending refuses with `MEASUREMENT_UNAVAILABLE` rather than pretending.
 *
 * The event log is loaded from `eventLogFile` at start (this boot's earlier extensions) and
 * saved after every extension. It assumes the agent is the only writer of RTMR3; events that
 * another program extended without logging them make the log fail to replay, which the KMS
 * then refuses as `EVENT_LOG_MISMATCH`.
 */
export function createTsmProvider(options: TsmProviderOptions = {}): MeasurementProvider {
  const rtmr3Path = options.rtmr3Path ?? DEFAULT_RTMR3_PATH;
  const reportRoot = options.reportRoot ?? DEFAULT_TSM_REPORT_ROOT;
  const eventLogFile = options.eventLogFile === undefined ? DEFAULT_EVENT_LOG_FILE : options.eventLogFile;
  const fileSystem = options.fileSystem ?? nodeTsmFileSystem;

  const log = new Rtmr3EventLog();
  if (eventLogFile !== null) {
    for (const event of loadEventLogFile(eventLogFile)) if (isRuntimeEvent(event)) log.extend(event.name, event.payload);
  }

  return {
    kind: "tsm",
    taint: [],
    async extendRtmr3(name, payload) {
      let digest: Uint8Array;
      try {
        assertRuntimeEventName(name);
        digest = dstackEventDigest(name, payload);
      } catch (error) {
        if (error instanceof AttestationError) throw new AgentError("INPUT_INVALID", error.message, { cause: error });
        throw error;
      }
      if (!fileSystem.exists(rtmr3Path)) {
        throw new AgentError(
          "MEASUREMENT_UNAVAILABLE",
          `${rtmr3Path} is absent: RTMR3 cannot be extended (needs a TDX guest on Linux 6.16+ with TSM measurement ` +
            "registers; the TDX_CMD_EXTEND_RTMR ioctl needs native code and is not supported)",
        );
      }
      try {
        fileSystem.writeExisting(rtmr3Path, digest);
      } catch (error) {
        throw new AgentError("MEASUREMENT_FAILED", `extending RTMR3 through ${rtmr3Path} failed`, { cause: error });
      }
      const event = log.extend(name, payload);
      if (eventLogFile !== null) saveEventLogFile(eventLogFile, log.events);
      return event;
    },
    eventLog: (): TdxEvent[] => [...log.events],
    async getQuote(reportData) {
      return configfsTsmQuote(reportData, { reportRoot, fileSystem, ...(options.warn ? { warn: options.warn } : {}) });
    },
  };
}
