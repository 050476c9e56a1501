import { fromHex } from "../../../core/bytes";
import { type Collateral, parseCollateralJson } from "../../../core/attestation/collateral/collateral";
import { parseQeIdentity } from "../../../core/attestation/collateral/qeIdentity";
import { parseTcbInfo } from "../../../core/attestation/collateral/tcbInfo";
import type { EvaluateTcbParameters } from "../../../core/attestation/tcb/evaluateTcb";
import {
  mutateJsonText,
  pckFieldsOf,
  readQuoteTcbFields,
  readSetQuote,
  readVectorText,
  type SetId,
  VECTOR_SETS,
} from "../../helpers/collateralVectors";

/** TCB evaluation inputs from a real set: its collateral file, README PCK values, quote fields. */
export function inputsOf(setId: SetId): { parameters: EvaluateTcbParameters; collateral: Collateral } {
  const set = VECTOR_SETS[setId];
  const collateral = parseCollateralJson(readVectorText(set.collateral));
  const fields = readQuoteTcbFields(readSetQuote(set));
  return {
    collateral,
    parameters: {
      tcbInfo: collateral.tcbInfo,
      qeIdentity: collateral.qeIdentity,
      pck: pckFieldsOf(set),
      td: fields.td,
      qeReport: fields.qeReport,
      qeVendorId: fields.qeVendorId,
    },
  };
}

/** S1's inputs with its real TCB Info / QE Identity minimally mutated and re-parsed. */
export function s1With(change: {
  tcbInfo?: (json: any) => void;
  qeIdentity?: (json: any) => void;
}): EvaluateTcbParameters {
  const { parameters, collateral } = inputsOf("S1");
  return {
    ...parameters,
    ...(change.tcbInfo ? { tcbInfo: parseTcbInfo(mutateJsonText(collateral.tcbInfoText, change.tcbInfo)) } : {}),
    ...(change.qeIdentity
      ? { qeIdentity: parseQeIdentity(mutateJsonText(collateral.qeIdentityText, change.qeIdentity)) }
      : {}),
  };
}

export function withTeeTcbSvn(parameters: EvaluateTcbParameters, hex: string): EvaluateTcbParameters {
  return { ...parameters, td: { ...parameters.td, teeTcbSvn: fromHex(hex) } };
}

/** The platform fields `matchPlatformTcbLevel` takes, from evaluation inputs. */
export function platformOf(parameters: EvaluateTcbParameters) {
  return {
    sgxTcbComponents: parameters.pck.sgxTcbComponents ?? [],
    pceSvn: parameters.pck.pceSvn,
    teeTcbSvn: parameters.td.teeTcbSvn,
  };
}
