import { isAllZero } from "../bytes";
import { AttestationError } from "./errors";
import type { TdReport } from "./types";

/**
 * Fixed TD policy that every quote must meet, whatever the on-chain policy says. These are
 * properties no key holder should ever run with:
 * - DEBUG (td_attributes bit 0): the host can read and change the TD's memory.
 * - Reserved TUD bits 1-7 set: an unknown debug-class feature.
 * - SEPT_VE_DISABLE (bit 28) clear: the guest takes #VE on EPT violations, a known
 *   attack surface; production guests (dstack, GCP, Azure) set it.
 * - A non-zero MR_SERVICE_TD (TD 1.5): a service TD (e.g. a migration TD) is bound to this
 *   TD and can act on it; not supported.
 * MR_SIGNER_SEAM is checked before TCB evaluation ({@link checkTdxModuleSigner}).
 */
export const TD_ATTRIBUTE_DEBUG = 1n << 0n;
export const TD_ATTRIBUTES_TUD_RESERVED = 0xfen;
export const TD_ATTRIBUTE_SEPT_VE_DISABLE = 1n << 28n;

export function tdAttributesValue(tdAttributes: Uint8Array): bigint {
  return Buffer.from(tdAttributes).readBigUInt64LE(0);
}

export function checkTdPolicy(body: TdReport): void {
  const attributes = tdAttributesValue(body.tdAttributes);
  if (attributes & TD_ATTRIBUTE_DEBUG) throw new AttestationError("TD_DEBUG", "the TD is a debug TD (td_attributes.DEBUG is set)");
  if (attributes & TD_ATTRIBUTES_TUD_RESERVED) {
    throw new AttestationError("TD_ATTRIBUTES_NOT_ALLOWED", "reserved TD-under-debug attribute bits are set");
  }
  if (!(attributes & TD_ATTRIBUTE_SEPT_VE_DISABLE)) {
    throw new AttestationError("TD_ATTRIBUTES_NOT_ALLOWED", "td_attributes.SEPT_VE_DISABLE is not set");
  }
  if (body.mrServiceTd && !isAllZero(body.mrServiceTd)) {
    throw new AttestationError("TD_SERVICE_TD_NONZERO", "MR_SERVICE_TD is not zero: service TDs are not supported");
  }
}

/** Intel's TDX module is signed by Intel: MR_SIGNER_SEAM is all zero. */
export function checkTdxModuleSigner(body: TdReport): void {
  if (!isAllZero(body.mrSignerSeam)) {
    throw new AttestationError("TD_MR_SIGNER_SEAM_NONZERO", "MR_SIGNER_SEAM is not zero: not an Intel-signed TDX module");
  }
}
