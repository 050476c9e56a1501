import { AttestationError } from "../errors";
import type { EnclaveReport, TdReport } from "../types";
import {
  ENCLAVE_REPORT,
  ENCLAVE_REPORT_SIZE,
  TD_REPORT,
  TD_REPORT_10_SIZE,
  TD_REPORT_15_SIZE,
  type FieldLayout,
} from "./layout";

/**
 * Field views over the fixed-size reports inside a quote. The caller has already cut
 * exactly the right number of bytes (the quote parser does), so these cannot read out of
 * bounds. Every field is a subarray view of `bytes`, exactly the field's size.
 */
function view(bytes: Uint8Array, field: FieldLayout): Uint8Array {
  return bytes.subarray(field.offset, field.offset + field.size);
}

function expectSize(bytes: Uint8Array, size: number, what: string): void {
  if (bytes.length !== size) {
    throw new AttestationError("QUOTE_MALFORMED", `${what} must be ${size} bytes, got ${bytes.length}`);
  }
}

/** TD report 1.0 (584 bytes) or 1.5 (648 bytes: adds teeTcbSvn2 and mrServiceTd). */
export function parseTdReport(bytes: Uint8Array, kind: TdReport["kind"]): TdReport {
  expectSize(bytes, kind === "td15" ? TD_REPORT_15_SIZE : TD_REPORT_10_SIZE, `TD report (${kind})`);
  const report: TdReport = {
    kind,
    teeTcbSvn: view(bytes, TD_REPORT.teeTcbSvn),
    mrSeam: view(bytes, TD_REPORT.mrSeam),
    mrSignerSeam: view(bytes, TD_REPORT.mrSignerSeam),
    seamAttributes: view(bytes, TD_REPORT.seamAttributes),
    tdAttributes: view(bytes, TD_REPORT.tdAttributes),
    xfam: view(bytes, TD_REPORT.xfam),
    mrTd: view(bytes, TD_REPORT.mrTd),
    mrConfigId: view(bytes, TD_REPORT.mrConfigId),
    mrOwner: view(bytes, TD_REPORT.mrOwner),
    mrOwnerConfig: view(bytes, TD_REPORT.mrOwnerConfig),
    rtmr0: view(bytes, TD_REPORT.rtmr0),
    rtmr1: view(bytes, TD_REPORT.rtmr1),
    rtmr2: view(bytes, TD_REPORT.rtmr2),
    rtmr3: view(bytes, TD_REPORT.rtmr3),
    reportData: view(bytes, TD_REPORT.reportData),
  };
  if (kind === "td15") {
    report.teeTcbSvn2 = view(bytes, TD_REPORT.teeTcbSvn2);
    report.mrServiceTd = view(bytes, TD_REPORT.mrServiceTd);
  }
  return report;
}

function readU16(bytes: Uint8Array, field: FieldLayout): number {
  return bytes[field.offset]! | (bytes[field.offset + 1]! << 8);
}

/** The Quoting Enclave's SGX report body (384 bytes). */
export function parseEnclaveReport(bytes: Uint8Array): EnclaveReport {
  expectSize(bytes, ENCLAVE_REPORT_SIZE, "QE report");
  const misc = ENCLAVE_REPORT.miscSelect.offset;
  return {
    cpuSvn: view(bytes, ENCLAVE_REPORT.cpuSvn),
    miscSelect:
      (bytes[misc]! | (bytes[misc + 1]! << 8) | (bytes[misc + 2]! << 16)) + bytes[misc + 3]! * 0x1000000,
    attributes: view(bytes, ENCLAVE_REPORT.attributes),
    mrEnclave: view(bytes, ENCLAVE_REPORT.mrEnclave),
    mrSigner: view(bytes, ENCLAVE_REPORT.mrSigner),
    isvProdId: readU16(bytes, ENCLAVE_REPORT.isvProdId),
    isvSvn: readU16(bytes, ENCLAVE_REPORT.isvSvn),
    reportData: view(bytes, ENCLAVE_REPORT.reportData),
  };
}
