import fs from "node:fs";
import path from "node:path";
import { eventLogToJson, parseEventLog, type TdxEvent } from "../../core/attestation/eventlog";
import { AttestationError } from "../../core/attestation/errors";
import { AgentError } from "../errors";

/**
 * The RTMR3 event log kept on disk (e.g. `/run/basekms/rtmr3.json`, a tmpfs). RTMR3
 * extensions last until reboot, but a process's memory does not: `agent health`, or a second
 * `agent boot` after a failure, must know what this boot already extended, or its log would
 * not replay to the quote's RTMR3. The log is public (the KMS and anyone reading /health see
 * it), so it is written 0644, atomically (temporary file, then rename).
 */
export function loadEventLogFile(file: string): TdxEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new AgentError("MEASUREMENT_FAILED", `cannot read the RTMR3 event log ${file}`, { cause: error });
  }
  try {
    return parseEventLog(text);
  } catch (error) {
    if (error instanceof AttestationError) {
      throw new AgentError("MEASUREMENT_FAILED", `RTMR3 event log ${file} is not a dstack event log: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

export function saveEventLogFile(file: string, events: readonly TdxEvent[]): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, `${JSON.stringify(eventLogToJson(events), null, 2)}\n`, { mode: 0o644 });
    fs.chmodSync(temporary, 0o644); // whatever the umask: the log is public
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new AgentError("MEASUREMENT_FAILED", `cannot write the RTMR3 event log ${file}`, { cause: error });
  }
}
