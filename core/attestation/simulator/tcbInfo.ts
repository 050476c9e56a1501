import { toHex } from "../../bytes";
import type { TcbStatus } from "../types";
import { SimulatorError, requireIntegerInRange, requireLength } from "./errors";
import type { DevPlatform } from "./platform";

/**
 * Intel TDX TCB Info v3 (id "TDX") as exact JSON text, with the member order and spelling
 * Intel PCS serves (compare `tcb_info` in ../shared/tdx-vectors/dcap-qvl/tdx_quote_collateral.json):
 * id, version, issueDate, nextUpdate, fmspc, pceId, tcbType, tcbEvaluationDataNumber,
 * tdxModule, tdxModuleIdentities, tcbLevels. Hex is upper case; JSON is compact.
 */

export interface SimTcbLevel {
  sgxTcbComponents: readonly number[]; // 16
  pceSvn: number;
  tdxTcbComponents: readonly number[]; // 16
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  tcbDate: string;
  tcbStatus: TcbStatus;
  /** Written as `advisoryIDs` when non-empty. */
  advisoryIds?: readonly string[];
}

export interface SimModuleTcbLevel {
  isvSvn: number;
  tcbDate: string;
  tcbStatus: TcbStatus;
  advisoryIds?: readonly string[];
}

export interface SimTdxModule {
  mrSigner: Uint8Array; // 48
  attributes: Uint8Array; // 8
  attributesMask: Uint8Array; // 8
}

export interface SimTdxModuleIdentity extends SimTdxModule {
  /** "TDX_" + the module major version (TEE_TCB_SVN byte 1) as two hex digits. */
  id: string;
  tcbLevels: readonly SimModuleTcbLevel[];
}

export interface TcbInfoSpec {
  /** Unix seconds. */
  issueDate: number;
  nextUpdate: number;
  fmspc: Uint8Array;
  pceId: Uint8Array;
  tcbEvaluationDataNumber: number;
  tdxModule: SimTdxModule;
  tdxModuleIdentities: readonly SimTdxModuleIdentity[];
  tcbLevels: readonly SimTcbLevel[];
}

/** Intel's `category`/`type` labels for the first SGX and TDX TCB components. */
const SGX_COMPONENT_LABELS: ReadonlyArray<{ category?: string; type?: string }> = [
  { category: "BIOS", type: "Early Microcode Update" },
  { category: "OS/VMM", type: "SGX Late Microcode Update" },
  { category: "OS/VMM", type: "TXT SINIT" },
  { category: "BIOS" },
  { category: "BIOS" },
  { category: "BIOS" },
  {},
  { category: "OS/VMM", type: "SEAMLDR ACM" },
];
const TDX_COMPONENT_LABELS: ReadonlyArray<{ category?: string; type?: string }> = [
  { category: "OS/VMM", type: "TDX Module" },
  { category: "OS/VMM", type: "TDX Module" },
  { category: "OS/VMM", type: "TDX Late Microcode Update" },
];

export const UP_TO_DATE_TCB_DATE = "2024-03-13T00:00:00Z";
export const OUT_OF_DATE_TCB_DATE = "2018-01-04T00:00:00Z";
/** Sample advisory ids on the default OutOfDate level (real Intel ids, so filters behave as in production). */
export const DEFAULT_OUT_OF_DATE_ADVISORY_IDS: readonly string[] = ["INTEL-SA-00837", "INTEL-SA-00960"];

/** Unix seconds as Intel's `YYYY-MM-DDTHH:MM:SSZ` (no milliseconds). */
export function isoSeconds(unixSeconds: number): string {
  if (!Number.isSafeInteger(unixSeconds)) {
    throw new SimulatorError("SIMULATOR_VALUE_OUT_OF_RANGE", `time must be whole Unix seconds, got ${unixSeconds}`);
  }
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function upperHex(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase();
}

function components(
  field: string,
  svns: readonly number[],
  labels: ReadonlyArray<{ category?: string; type?: string }>,
): object[] {
  if (svns.length !== 16) {
    throw new SimulatorError("SIMULATOR_FIELD_LENGTH", `${field} must have 16 SVNs, got ${svns.length}`);
  }
  return svns.map((svn, index) => ({
    svn: requireIntegerInRange(`${field}[${index}]`, svn, 0, 255),
    ...labels[index],
  }));
}

/** The trailing `tcbDate, tcbStatus[, advisoryIDs]` members every TCB level ends with. */
export function levelTail(level: { tcbDate: string; tcbStatus: TcbStatus; advisoryIds?: readonly string[] }): object {
  const ids = level.advisoryIds ?? [];
  return { tcbDate: level.tcbDate, tcbStatus: level.tcbStatus, ...(ids.length > 0 ? { advisoryIDs: [...ids] } : {}) };
}

function moduleJson(module: SimTdxModule): object {
  return {
    mrsigner: upperHex(requireLength("tdxModule.mrSigner", module.mrSigner, 48)),
    attributes: upperHex(requireLength("tdxModule.attributes", module.attributes, 8)),
    attributesMask: upperHex(requireLength("tdxModule.attributesMask", module.attributesMask, 8)),
  };
}

/** The exact signed `tcbInfo` text. */
export function tcbInfoJson(spec: TcbInfoSpec): string {
  return JSON.stringify({
    id: "TDX",
    version: 3,
    issueDate: isoSeconds(spec.issueDate),
    nextUpdate: isoSeconds(spec.nextUpdate),
    fmspc: upperHex(requireLength("fmspc", spec.fmspc, 6)),
    pceId: upperHex(requireLength("pceId", spec.pceId, 2)),
    tcbType: 0,
    tcbEvaluationDataNumber: spec.tcbEvaluationDataNumber,
    tdxModule: moduleJson(spec.tdxModule),
    tdxModuleIdentities: spec.tdxModuleIdentities.map((identity) => ({
      id: identity.id,
      ...moduleJson(identity),
      tcbLevels: identity.tcbLevels.map((level) => ({
        tcb: { isvsvn: requireIntegerInRange("isvSvn", level.isvSvn, 0, 255) },
        ...levelTail(level),
      })),
    })),
    tcbLevels: spec.tcbLevels.map((level) => ({
      tcb: {
        sgxtcbcomponents: components("sgxTcbComponents", level.sgxTcbComponents, SGX_COMPONENT_LABELS),
        pcesvn: requireIntegerInRange("pceSvn", level.pceSvn, 0, 0xffff),
        tdxtcbcomponents: components("tdxTcbComponents", level.tdxTcbComponents, TDX_COMPONENT_LABELS),
      },
      ...levelTail(level),
    })),
  });
}

const lower = (svn: number) => Math.max(0, svn - 1);

/**
 * Default TCB levels for a platform: an UpToDate level equal to its SVNs, then an older
 * OutOfDate level (every non-zero SVN one lower) carrying advisory ids. To simulate an
 * out-of-date machine, pass the levels of a *newer* platform.
 */
export function defaultTcbLevels(platform: Pick<DevPlatform, "sgxTcbComponents" | "pceSvn" | "teeTcbSvn">): SimTcbLevel[] {
  const tdx = Array.from(platform.teeTcbSvn);
  return [
    {
      sgxTcbComponents: [...platform.sgxTcbComponents],
      pceSvn: platform.pceSvn,
      tdxTcbComponents: tdx,
      tcbDate: UP_TO_DATE_TCB_DATE,
      tcbStatus: "UpToDate",
    },
    {
      sgxTcbComponents: platform.sgxTcbComponents.map(lower),
      pceSvn: lower(platform.pceSvn),
      tdxTcbComponents: tdx.map(lower),
      tcbDate: OUT_OF_DATE_TCB_DATE,
      tcbStatus: "OutOfDate",
      advisoryIds: DEFAULT_OUT_OF_DATE_ADVISORY_IDS,
    },
  ];
}

/** Intel's TDX module signer and attributes: all zero, mask all ones. */
export function defaultTdxModule(): SimTdxModule {
  return { mrSigner: new Uint8Array(48), attributes: new Uint8Array(8), attributesMask: new Uint8Array(8).fill(0xff) };
}

/** One identity for the platform's module version: its SVN UpToDate, two below OutOfDate. */
export function defaultTdxModuleIdentities(platform: Pick<DevPlatform, "teeTcbSvn">): SimTdxModuleIdentity[] {
  const moduleSvn = platform.teeTcbSvn[0] ?? 0;
  const majorVersion = platform.teeTcbSvn[1] ?? 0;
  return [
    {
      id: `TDX_${majorVersion.toString(16).padStart(2, "0").toUpperCase()}`,
      ...defaultTdxModule(),
      tcbLevels: [
        { isvSvn: moduleSvn, tcbDate: UP_TO_DATE_TCB_DATE, tcbStatus: "UpToDate" },
        { isvSvn: Math.max(0, moduleSvn - 2), tcbDate: "2023-08-09T00:00:00Z", tcbStatus: "OutOfDate" },
      ],
    },
  ];
}
