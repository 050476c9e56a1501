import { sha256, sha384 } from "@noble/hashes/sha2.js";
import { fromHex, utf8 } from "../../bytes";

/**
 * The simulated machine: its TCB (what the PCK certificate and TCB Info describe), its
 * Quoting Enclave (what the QE report and QE Identity describe) and fixed TD measurement
 * defaults. The SVN defaults mirror a current Intel platform (the one in
 * ../shared/tdx-vectors/near-mpc), so TCB matching exercises realistic numbers. Values that
 * name an identity (FMSPC, QE MRSIGNER, MRSEAM) are deliberately *not* Intel's, so a dev
 * artefact can never be mistaken for, or cached alongside, a production one.
 */

/** Unix seconds. Certificates of the dev PKI are valid over this fixed window. */
export const DEV_CERT_NOT_BEFORE = Date.UTC(2024, 0, 1, 0, 0, 0) / 1000;
export const DEV_CERT_NOT_AFTER = Date.UTC(2049, 11, 31, 23, 59, 59) / 1000;
/** Default issue time of the CRLs a DevPki holds (2026-01-01T00:00:00Z); collateral reissues them at its own `now`. */
export const DEV_PKI_DEFAULT_NOW = Date.UTC(2026, 0, 1, 0, 0, 0) / 1000;

/** Intel's QE vendor id: real TDX quotes all carry it, and verifiers check it. */
export const INTEL_QE_VENDOR_ID = fromHex("939a7233f79c4ca9940a0db3957f0607");

/** A development FMSPC ("de" prefix): no Intel platform has it, so no PCCS cache key collides. */
export const DEV_FMSPC = fromHex("de506f000000");
export const DEV_PCE_ID = fromHex("0000");
export const DEV_PCE_SVN = 13;
/** SGX TCB component SVNs of the PCK certificate (equal to its CPUSVN bytes). */
export const DEV_SGX_TCB_COMPONENTS: readonly number[] = [4, 4, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];
/** TEE_TCB_SVN: byte 0 = TDX module SVN, byte 1 = module major version (TDX_01), byte 2 = late microcode. */
export const DEV_TEE_TCB_SVN = Uint8Array.of(6, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

export interface DevPlatform {
  fmspc: Uint8Array; // 6
  pceId: Uint8Array; // 2
  pceSvn: number;
  sgxTcbComponents: readonly number[]; // 16
  /** The PCK certificate's CPUSVN (the 16 component SVNs as bytes). */
  cpuSvn: Uint8Array; // 16
  teeTcbSvn: Uint8Array; // 16
  mrSeam: Uint8Array; // 48
  ppid: Uint8Array; // 16
  platformInstanceId: Uint8Array; // 16
}

/** The simulated TD Quoting Enclave (an SGX enclave; its report sits in every quote). */
export interface DevQuotingEnclave {
  cpuSvn: Uint8Array; // 16
  miscSelect: number;
  /** 16 bytes: flags INIT|MODE64BIT|PROVISIONKEY (0x15) and XFRM 0xe7, as Intel's TD QE. */
  attributes: Uint8Array;
  mrEnclave: Uint8Array; // 32
  mrSigner: Uint8Array; // 32
  /** 2 = TD_QE. */
  isvProdId: number;
  isvSvn: number;
}

export const DEV_QE_ISV_PROD_ID = 2;
export const DEV_QE_ISV_SVN = 4;
export const DEV_QE_ATTRIBUTES = fromHex("1500000000000000e700000000000000");
/** QE Identity's expected attributes and mask, as Intel publishes them for TD_QE. */
export const DEV_QE_IDENTITY_ATTRIBUTES = fromHex("11000000000000000000000000000000");
export const DEV_QE_IDENTITY_ATTRIBUTES_MASK = fromHex("fbffffffffffffff0000000000000000");
export const DEV_QE_MR_SIGNER = sha256(utf8("basekms/dev-qe/mrsigner/v1"));
export const DEV_QE_MR_ENCLAVE = sha256(utf8("basekms/dev-qe/mrenclave/v1"));
export const DEV_MR_SEAM = sha384(utf8("basekms/dev-tdx/mrseam/v1"));

/** The QE authentication data real quotes carry: the 32 bytes 0x00..0x1f. */
export const DEFAULT_QE_AUTH_DATA = Uint8Array.from({ length: 32 }, (_, index) => index);

/** TD attributes with only SEPT_VE_DISABLE (bit 28) set: a production TD. */
export const DEFAULT_TD_ATTRIBUTES = fromHex("0000001000000000");
/** XFAM of the dstack TDs in the vectors: x87, SSE, AVX, AVX-512 state, PKRU, AMX. */
export const DEFAULT_XFAM = fromHex("e702060000000000");

/** Fixed defaults for the TD's boot measurements: stand-ins for a dev OS image. */
export function defaultTdMeasurement(name: "mrTd" | "rtmr0" | "rtmr1" | "rtmr2"): Uint8Array {
  return sha384(utf8(`basekms/dev-tdx/${name}/v1`));
}
