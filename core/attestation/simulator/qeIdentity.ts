import type { TcbStatus } from "../types";
import { requireIntegerInRange, requireLength } from "./errors";
import {
  DEV_QE_IDENTITY_ATTRIBUTES,
  DEV_QE_IDENTITY_ATTRIBUTES_MASK,
  type DevQuotingEnclave,
} from "./platform";
import { UP_TO_DATE_TCB_DATE, isoSeconds, levelTail, upperHex } from "./tcbInfo";

/**
 * Intel QE Identity v2 for the TD Quoting Enclave (id "TD_QE") as exact JSON text, in
 * Intel's member order (compare `qe_identity` in the vectors): id, version, issueDate,
 * nextUpdate, tcbEvaluationDataNumber, miscselect, miscselectMask, attributes,
 * attributesMask, mrsigner, isvprodid, tcbLevels.
 */

export interface SimQeTcbLevel {
  isvSvn: number;
  tcbDate: string;
  tcbStatus: TcbStatus;
  advisoryIds?: readonly string[];
}

export interface QeIdentitySpec {
  /** Unix seconds. */
  issueDate: number;
  nextUpdate: number;
  tcbEvaluationDataNumber: number;
  /** 4 bytes, written as hex in this byte order (Intel publishes 00000000 / FFFFFFFF). */
  miscSelect: Uint8Array;
  miscSelectMask: Uint8Array;
  attributes: Uint8Array; // 16
  attributesMask: Uint8Array; // 16
  mrSigner: Uint8Array; // 32
  isvProdId: number;
  tcbLevels: readonly SimQeTcbLevel[];
}

/** The exact signed `enclaveIdentity` text. */
export function qeIdentityJson(spec: QeIdentitySpec): string {
  return JSON.stringify({
    id: "TD_QE",
    version: 2,
    issueDate: isoSeconds(spec.issueDate),
    nextUpdate: isoSeconds(spec.nextUpdate),
    tcbEvaluationDataNumber: spec.tcbEvaluationDataNumber,
    miscselect: upperHex(requireLength("miscSelect", spec.miscSelect, 4)),
    miscselectMask: upperHex(requireLength("miscSelectMask", spec.miscSelectMask, 4)),
    attributes: upperHex(requireLength("attributes", spec.attributes, 16)),
    attributesMask: upperHex(requireLength("attributesMask", spec.attributesMask, 16)),
    mrsigner: upperHex(requireLength("mrSigner", spec.mrSigner, 32)),
    isvprodid: requireIntegerInRange("isvProdId", spec.isvProdId, 0, 0xffff),
    tcbLevels: spec.tcbLevels.map((level) => ({
      tcb: { isvsvn: requireIntegerInRange("isvSvn", level.isvSvn, 0, 0xffff) },
      ...levelTail(level),
    })),
  });
}

/** A u32 as the 4-byte big-endian hex Intel writes (`miscselect`). */
export function u32Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, requireIntegerInRange("miscSelect", value, 0, 0xffffffff), false);
  return bytes;
}

/** The identity fields that match a simulated QE, with one UpToDate level at its ISVSVN (as Intel publishes). */
export function defaultQeIdentityFields(
  enclave: DevQuotingEnclave,
): Omit<QeIdentitySpec, "issueDate" | "nextUpdate" | "tcbEvaluationDataNumber"> {
  return {
    miscSelect: u32Bytes(enclave.miscSelect),
    miscSelectMask: u32Bytes(0xffffffff),
    attributes: DEV_QE_IDENTITY_ATTRIBUTES,
    attributesMask: DEV_QE_IDENTITY_ATTRIBUTES_MASK,
    mrSigner: enclave.mrSigner,
    isvProdId: enclave.isvProdId,
    tcbLevels: [{ isvSvn: enclave.isvSvn, tcbDate: UP_TO_DATE_TCB_DATE, tcbStatus: "UpToDate" }],
  };
}
