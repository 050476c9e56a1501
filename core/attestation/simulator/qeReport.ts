import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes } from "../../bytes";
import { requireIntegerInRange, requireLength } from "./errors";
import type { DevQuotingEnclave } from "./platform";

/**
 * The Quoting Enclave's SGX report body (384 bytes, little-endian integers), laid out as in
 * Intel's "SGX ECDSA Quote Library" `sgx_report_body_t`:
 *
 *   cpusvn 16 | miscselect u32 | reserved 28 | attributes 16 | mrenclave 32 | reserved 32 |
 *   mrsigner 32 | reserved 96 | isvprodid u16 | isvsvn u16 | reserved 60 | reportdata 64
 */

export const QE_REPORT_SIZE = 384;

/**
 * The QE binds the attestation key into its report:
 * `report_data = SHA-256(attestation_key ‖ qe_auth_data) ‖ 32 zero bytes`.
 */
export function qeReportData(attestationKeyRaw: Uint8Array, qeAuthData: Uint8Array): Uint8Array {
  requireLength("attestationKey", attestationKeyRaw, 64);
  return concatBytes(sha256(concatBytes(attestationKeyRaw, qeAuthData)), new Uint8Array(32));
}

export function encodeQeReport(enclave: DevQuotingEnclave, reportData: Uint8Array): Uint8Array {
  const report = new Uint8Array(QE_REPORT_SIZE);
  const view = new DataView(report.buffer);
  report.set(requireLength("qe.cpuSvn", enclave.cpuSvn, 16), 0);
  view.setUint32(16, requireIntegerInRange("qe.miscSelect", enclave.miscSelect, 0, 0xffffffff), true);
  report.set(requireLength("qe.attributes", enclave.attributes, 16), 48);
  report.set(requireLength("qe.mrEnclave", enclave.mrEnclave, 32), 64);
  report.set(requireLength("qe.mrSigner", enclave.mrSigner, 32), 128);
  view.setUint16(256, requireIntegerInRange("qe.isvProdId", enclave.isvProdId, 0, 0xffff), true);
  view.setUint16(258, requireIntegerInRange("qe.isvSvn", enclave.isvSvn, 0, 0xffff), true);
  report.set(requireLength("qe.reportData", reportData, 64), 320);
  return report;
}
