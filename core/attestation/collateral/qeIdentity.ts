import { AttestationError } from "../errors";
import type { TcbStatus } from "../types";
import {
  malformed,
  parseJsonObject,
  readAdvisoryIds,
  readHexBytes,
  readObject,
  readObjectList,
  readTcbStatus,
  readUint,
  readUtcTime,
} from "./strictJson";

/**
 * Intel PCS enclave identity of the TDX Quoting Enclave (`GET /tdx/certification/v4/qe/identity`):
 * `enclaveIdentity` version 2, id `TD_QE`, as signed by the Intel SGX TCB Signing key.
 */
export interface QeIdentity {
  id: "TD_QE";
  version: 2;
  /** Unix seconds, as every time in attestation (the PKI layer too). */
  issueDate: number;
  /** Unix seconds. */
  nextUpdate: number;
  tcbEvaluationDataNumber: number;
  /** 4 bytes, in report byte order (little-endian u32). */
  miscSelect: Uint8Array;
  miscSelectMask: Uint8Array;
  /** 16 bytes. */
  attributes: Uint8Array;
  attributesMask: Uint8Array;
  /** 32 bytes. */
  mrSigner: Uint8Array;
  isvProdId: number;
  tcbLevels: QeTcbLevel[];
}

export interface QeTcbLevel {
  isvSvn: number;
  /** Unix seconds. */
  tcbDate: number;
  tcbStatus: TcbStatus;
  advisoryIds: string[];
}

/**
 * Parses the exact signed `enclaveIdentity` text. Anything but `id: "TD_QE"`, `version: 2`
 * is `QE_IDENTITY_UNSUPPORTED` (an SGX `QE` identity must never vouch for a TD quote);
 * any other defect is `COLLATERAL_MALFORMED`.
 */
export function parseQeIdentity(text: string): QeIdentity {
  const json = parseJsonObject(text, "enclaveIdentity");
  if (json.id !== "TD_QE" || json.version !== 2) {
    throw new AttestationError(
      "QE_IDENTITY_UNSUPPORTED",
      `QE Identity must be id "TD_QE" version 2, got id ${JSON.stringify(json.id)} version ${JSON.stringify(json.version)}`.slice(0, 200),
    );
  }
  const what = "enclaveIdentity";
  const issueDate = readUtcTime(json, "issueDate", what);
  const nextUpdate = readUtcTime(json, "nextUpdate", what);
  if (nextUpdate < issueDate) throw malformed(`${what}.nextUpdate is before issueDate`);
  return {
    id: "TD_QE",
    version: 2,
    issueDate,
    nextUpdate,
    tcbEvaluationDataNumber: readUint(json, "tcbEvaluationDataNumber", what, 0xffffffff),
    miscSelect: readHexBytes(json, "miscselect", what, 4),
    miscSelectMask: readHexBytes(json, "miscselectMask", what, 4),
    attributes: readHexBytes(json, "attributes", what, 16),
    attributesMask: readHexBytes(json, "attributesMask", what, 16),
    mrSigner: readHexBytes(json, "mrsigner", what, 32),
    isvProdId: readUint(json, "isvprodid", what, 0xffff),
    tcbLevels: readObjectList(json, "tcbLevels", what, (level, levelWhat) => ({
      isvSvn: readUint(readObject(level, "tcb", levelWhat), "isvsvn", `${levelWhat}.tcb`, 0xffff),
      tcbDate: readUtcTime(level, "tcbDate", levelWhat),
      tcbStatus: readTcbStatus(level, "tcbStatus", levelWhat),
      advisoryIds: readAdvisoryIds(level, levelWhat),
    })),
  };
}
