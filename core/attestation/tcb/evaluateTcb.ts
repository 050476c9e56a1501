import { bytesEqual, fromHex, toHex } from "../../bytes";
import type { QeIdentity } from "../collateral/qeIdentity";
import type { TcbInfo } from "../collateral/tcbInfo";
import { AttestationError } from "../errors";
import type { TcbStatus } from "../types";
import { convergeTcbStatus, mergeAdvisoryIds } from "./convergeTcbStatus";
import { matchPlatformTcbLevel } from "./matchPlatformTcbLevel";
import { matchQeIdentity, type QeReportFields } from "./matchQeIdentity";
import { matchTdxModule, type TdModuleFields } from "./matchTdxModule";

/** Intel's QE vendor id (quote header). */
export const INTEL_QE_VENDOR_ID: Uint8Array = fromHex("939a7233f79c4ca9940a0db3957f0607");

/** What the PCK certificate's SGX extension says about the platform. */
export interface PckTcbFields {
  /** 16 SVNs; preferred when present. */
  sgxTcbComponents?: readonly number[];
  /** 16 bytes; byte i is SGX TCB component i. Used when `sgxTcbComponents` is absent. */
  cpuSvn?: Uint8Array;
  pceSvn: number;
  /** 2 bytes. */
  pceId: Uint8Array;
  /** 6 bytes. */
  fmspc: Uint8Array;
}

export interface EvaluateTcbParameters {
  tcbInfo: TcbInfo;
  qeIdentity: QeIdentity;
  pck: PckTcbFields;
  td: TdModuleFields;
  qeReport: QeReportFields;
  /** 16 bytes, from the quote header. */
  qeVendorId: Uint8Array;
}

export interface TcbEvaluation {
  /** Platform, TDX module and QE converged; never Revoked (that is a refusal). */
  status: TcbStatus;
  /** Union of the platform, module and QE levels' advisories, de-duplicated and sorted. */
  advisoryIds: string[];
  /** The matched platform TCB level's own status and date. */
  platformStatus: TcbStatus;
  platformAdvisoryIds: string[];
  /** Unix seconds. */
  matchedTcbDate: number;
  /** Present when `tee_tcb_svn[1] > 0` selected a TDX module identity. */
  tdxModuleIdentityId?: string;
  tdxModuleStatus?: TcbStatus;
  tdxModuleAdvisoryIds?: string[];
  qeStatus: TcbStatus;
  qeAdvisoryIds: string[];
  /** Unix seconds. */
  qeTcbDate: number;
  tcbEvaluationDataNumber: number;
}

/**
 * TCB evaluation of a TDX quote against signature-checked, in-window collateral (Intel DCAP
 * QVL semantics, cross-checked with dcap-qvl). Pure: every input is passed in. Steps, in the
 * order their refusals can fire:
 * 1. QE vendor id is Intel's (`QE_VENDOR_ID_MISMATCH`).
 * 2. The PCK's FMSPC and PCE-ID are the TCB Info's (`FMSPC_MISMATCH`, `PCE_ID_MISMATCH`).
 * 3. QE report against the TD_QE identity, and its QE TCB level ({@link matchQeIdentity}).
 * 4. TDX module signer and identity level ({@link matchTdxModule}).
 * 5. Platform TCB level ({@link matchPlatformTcbLevel}).
 * 6. Platform status converged with the module's, then the QE's ({@link convergeTcbStatus}).
 *
 * TD 1.5 "relaunch advised" statuses (Intel's TDRelaunchCheck on `tee_tcb_svn2`) are not
 * produced: they are not TCB Info statuses, and the TD policy decides on TD 1.5 fields.
 */
export function evaluateTcb(parameters: EvaluateTcbParameters): TcbEvaluation {
  const { tcbInfo, qeIdentity, pck, td, qeReport } = parameters;
  if (!bytesEqual(parameters.qeVendorId, INTEL_QE_VENDOR_ID)) {
    throw new AttestationError("QE_VENDOR_ID_MISMATCH", `QE vendor id ${toHex(parameters.qeVendorId)} is not Intel's`);
  }
  if (!bytesEqual(pck.fmspc, tcbInfo.fmspc)) {
    throw new AttestationError(
      "FMSPC_MISMATCH",
      `PCK FMSPC ${toHex(pck.fmspc)} is not the TCB Info's ${toHex(tcbInfo.fmspc)}`,
    );
  }
  if (!bytesEqual(pck.pceId, tcbInfo.pceId)) {
    throw new AttestationError("PCE_ID_MISMATCH", `PCK PCE-ID ${toHex(pck.pceId)} is not the TCB Info's ${toHex(tcbInfo.pceId)}`);
  }
  if (td.teeTcbSvn.length !== 16) throw new AttestationError("QUOTE_MALFORMED", "tee_tcb_svn must be 16 bytes");

  const qe = matchQeIdentity(qeIdentity, qeReport);
  const tdxModule = matchTdxModule(tcbInfo, td);
  const level = matchPlatformTcbLevel(tcbInfo, {
    sgxTcbComponents: sgxComponentsOf(pck),
    pceSvn: pck.pceSvn,
    teeTcbSvn: td.teeTcbSvn,
  });

  const withModule = tdxModule ? convergeTcbStatus(level.tcbStatus, tdxModule.status) : level.tcbStatus;
  const status = convergeTcbStatus(withModule, qe.status);
  return {
    status,
    advisoryIds: mergeAdvisoryIds(level.advisoryIds, tdxModule?.advisoryIds ?? [], qe.advisoryIds),
    platformStatus: level.tcbStatus,
    platformAdvisoryIds: [...level.advisoryIds],
    matchedTcbDate: level.tcbDate,
    ...(tdxModule
      ? {
          tdxModuleIdentityId: tdxModule.identityId,
          tdxModuleStatus: tdxModule.status,
          tdxModuleAdvisoryIds: [...tdxModule.advisoryIds],
        }
      : {}),
    qeStatus: qe.status,
    qeAdvisoryIds: [...qe.advisoryIds],
    qeTcbDate: qe.tcbDate,
    tcbEvaluationDataNumber: tcbInfo.tcbEvaluationDataNumber,
  };
}

function sgxComponentsOf(pck: PckTcbFields): readonly number[] {
  const components = pck.sgxTcbComponents ?? (pck.cpuSvn ? [...pck.cpuSvn] : undefined);
  if (!components || components.length !== 16) {
    throw new AttestationError("PCK_EXTENSION_MALFORMED", "PCK TCB must have 16 SGX TCB component SVNs");
  }
  return components;
}
