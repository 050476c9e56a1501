import { bytesEqual, toHex } from "../../bytes";
import type { TcbInfo, TdxModule } from "../collateral/tcbInfo";
import { AttestationError } from "../errors";
import type { TcbStatus, TdReport } from "../types";
import { maskedEqual } from "./matchQeIdentity";

/** The TD report fields that describe the TDX module. */
export type TdModuleFields = Pick<TdReport, "teeTcbSvn" | "mrSignerSeam" | "seamAttributes">;

export interface TdxModuleMatch {
  /** `TDX_01`, `TDX_03`, ... as Intel spells it in the TCB Info. */
  identityId: string;
  status: TcbStatus;
  advisoryIds: string[];
  /** Unix seconds. */
  tcbDate: number;
  /** The matched level's ISVSVN (compared with `tee_tcb_svn[0]`). */
  isvSvn: number;
}

/**
 * Checks the TDX module against the TCB Info (Intel QVL QuoteVerifier 4.1.2.4.11 and
 * TdxModuleCheck). `tee_tcb_svn[1]` is the module's major version and `tee_tcb_svn[0]` its
 * SVN. Version 0 (TDX 1.0) is checked against the base `tdxModule` and has no status of its
 * own (returns undefined). A version above 0 selects `tdxModuleIdentities` entry `TDX_%02X`,
 * whose mrsigner/attributes replace the base values (as in Intel QVL), and whose first level
 * (highest ISVSVN first) with `isvsvn <= tee_tcb_svn[0]` gives the module status.
 *
 * Refusals: `TDX_MODULE_IDENTITY_NOT_FOUND`, `TDX_MODULE_MISMATCH` (MR_SIGNER_SEAM, or
 * SEAM_ATTRIBUTES under the mask), `TCB_LEVEL_NOT_FOUND` (module SVN below every level),
 * `TCB_REVOKED` (module level Revoked).
 */
export function matchTdxModule(tcbInfo: TcbInfo, td: TdModuleFields): TdxModuleMatch | undefined {
  const moduleSvn = td.teeTcbSvn[0]!;
  const moduleVersion = td.teeTcbSvn[1]!;
  if (moduleVersion === 0) {
    checkModuleSigner(tcbInfo.tdxModule, td, "tdxModule");
    return undefined;
  }
  const identityId = `TDX_${moduleVersion.toString(16).padStart(2, "0").toUpperCase()}`;
  const identity = tcbInfo.tdxModuleIdentities.find((candidate) => candidate.id.toUpperCase() === identityId);
  if (!identity) {
    throw new AttestationError(
      "TDX_MODULE_IDENTITY_NOT_FOUND",
      `TCB Info has no TDX module identity ${identityId} (tee_tcb_svn[1] = ${moduleVersion})`,
    );
  }
  checkModuleSigner(identity, td, identity.id);
  const levels = [...identity.tcbLevels].sort((a, b) => b.isvSvn - a.isvSvn);
  const level = levels.find((candidate) => candidate.isvSvn <= moduleSvn);
  if (!level) {
    throw new AttestationError(
      "TCB_LEVEL_NOT_FOUND",
      `TDX module ${identity.id} SVN ${moduleSvn} is below every TCB level of that identity`,
    );
  }
  if (level.tcbStatus === "Revoked") {
    throw new AttestationError("TCB_REVOKED", `TDX module ${identity.id} SVN ${moduleSvn} matches a Revoked level`);
  }
  return {
    identityId: identity.id,
    status: level.tcbStatus,
    advisoryIds: level.advisoryIds,
    tcbDate: level.tcbDate,
    isvSvn: level.isvSvn,
  };
}

function checkModuleSigner(expected: TdxModule, td: TdModuleFields, name: string): void {
  if (!bytesEqual(td.mrSignerSeam, expected.mrSigner)) {
    throw new AttestationError(
      "TDX_MODULE_MISMATCH",
      `MR_SIGNER_SEAM ${toHex(td.mrSignerSeam)} does not match ${name}.mrsigner ${toHex(expected.mrSigner)}`,
    );
  }
  if (!maskedEqual(td.seamAttributes, expected.attributesMask, expected.attributes)) {
    throw new AttestationError(
      "TDX_MODULE_MISMATCH",
      `SEAM_ATTRIBUTES ${toHex(td.seamAttributes)} do not match ${name}.attributes ${toHex(expected.attributes)} under the mask`,
    );
  }
}
