import { bytesEqual, toHex } from "../../bytes";
import type { QeIdentity } from "../collateral/qeIdentity";
import { AttestationError } from "../errors";
import type { EnclaveReport, TcbStatus } from "../types";

/** The QE report fields the QE Identity constrains. */
export type QeReportFields = Pick<EnclaveReport, "miscSelect" | "attributes" | "mrSigner" | "isvProdId" | "isvSvn">;

export interface QeTcbMatch {
  status: TcbStatus;
  advisoryIds: string[];
  /** Unix seconds. */
  tcbDate: number;
  /** The matched level's ISVSVN. */
  isvSvn: number;
}

/**
 * Checks the QE report against Intel's TD_QE identity (Intel QVL EnclaveReportVerifier,
 * DCAP spec 4.1.2.9.5–10) and picks the QE TCB level.
 *
 * Refusals: `QE_IDENTITY_MISMATCH` (MISCSELECT or ATTRIBUTES under their masks, MRSIGNER,
 * ISVPRODID), `QE_TCB_LEVEL_NOT_FOUND` (ISVSVN below every level), `QE_TCB_REVOKED`.
 */
export function matchQeIdentity(qeIdentity: QeIdentity, qeReport: QeReportFields): QeTcbMatch {
  const miscSelect = new Uint8Array(4);
  new DataView(miscSelect.buffer).setUint32(0, qeReport.miscSelect >>> 0, true);
  if (!maskedEqual(miscSelect, qeIdentity.miscSelectMask, qeIdentity.miscSelect)) {
    throw mismatch(`MISCSELECT ${toHex(miscSelect)} does not match ${toHex(qeIdentity.miscSelect)} under the mask`);
  }
  if (!maskedEqual(qeReport.attributes, qeIdentity.attributesMask, qeIdentity.attributes)) {
    throw mismatch(`ATTRIBUTES ${toHex(qeReport.attributes)} do not match ${toHex(qeIdentity.attributes)} under the mask`);
  }
  if (!bytesEqual(qeReport.mrSigner, qeIdentity.mrSigner)) {
    throw mismatch(`MRSIGNER ${toHex(qeReport.mrSigner)} is not Intel's ${toHex(qeIdentity.mrSigner)}`);
  }
  if (qeReport.isvProdId !== qeIdentity.isvProdId) {
    throw mismatch(`ISVPRODID ${qeReport.isvProdId} is not ${qeIdentity.isvProdId}`);
  }
  // Highest ISVSVN first; a stable sort keeps Intel's order among equals.
  const levels = [...qeIdentity.tcbLevels].sort((a, b) => b.isvSvn - a.isvSvn);
  const level = levels.find((candidate) => candidate.isvSvn <= qeReport.isvSvn);
  if (!level) {
    throw new AttestationError(
      "QE_TCB_LEVEL_NOT_FOUND",
      `QE ISVSVN ${qeReport.isvSvn} is below every QE Identity TCB level`,
    );
  }
  if (level.tcbStatus === "Revoked") {
    throw new AttestationError("QE_TCB_REVOKED", `QE ISVSVN ${qeReport.isvSvn} matches a Revoked QE TCB level`);
  }
  return { status: level.tcbStatus, advisoryIds: level.advisoryIds, tcbDate: level.tcbDate, isvSvn: level.isvSvn };
}

/** `(value & mask) == expected`, byte by byte; lengths must agree. */
export function maskedEqual(value: Uint8Array, mask: Uint8Array, expected: Uint8Array): boolean {
  if (value.length !== mask.length || value.length !== expected.length) return false;
  for (let i = 0; i < value.length; i++) {
    if ((value[i]! & mask[i]!) !== expected[i]) return false;
  }
  return true;
}

function mismatch(what: string): AttestationError {
  return new AttestationError("QE_IDENTITY_MISMATCH", `QE report does not match the TD_QE identity: ${what}`);
}
