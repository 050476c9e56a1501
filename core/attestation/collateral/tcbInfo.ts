import { AttestationError } from "../errors";
import type { TcbStatus } from "../types";
import {
  type JsonObject,
  malformed,
  parseJsonObject,
  readAdvisoryIds,
  readArray,
  readHexBytes,
  readObject,
  readObjectList,
  readString,
  readTcbStatus,
  readUint,
  readUtcTime,
} from "./strictJson";

/**
 * Intel PCS TDX TCB Info, version 3 (`GET /tdx/certification/v4/tcb`), as signed by the
 * Intel SGX TCB Signing key. Field names follow the JSON, in camelCase; hex fields are bytes.
 */
export interface TcbInfo {
  id: "TDX";
  version: 3;
  /** Unix seconds, as every time in attestation (the PKI layer too). */
  issueDate: number;
  /** Unix seconds. */
  nextUpdate: number;
  /** 6 bytes. Intel writes it in either case; compare bytes, never text. */
  fmspc: Uint8Array;
  /** 2 bytes. */
  pceId: Uint8Array;
  /** 0 = compare TCB component SVNs (the only type Intel defines). */
  tcbType: 0;
  tcbEvaluationDataNumber: number;
  tdxModule: TdxModule;
  /** Empty when the TCB Info has no `tdxModuleIdentities` (older TDX 1.0 platforms). */
  tdxModuleIdentities: TdxModuleIdentity[];
  /** In the order Intel served them; the evaluator sorts defensively. */
  tcbLevels: TcbLevel[];
}

export interface TdxModule {
  /** 48 bytes: expected MR_SIGNER_SEAM. */
  mrSigner: Uint8Array;
  /** 8 bytes: expected SEAM_ATTRIBUTES under the mask. */
  attributes: Uint8Array;
  attributesMask: Uint8Array;
}

export interface TdxModuleIdentity extends TdxModule {
  /** `TDX_%02X`, the module's major version (`tee_tcb_svn[1]`). */
  id: string;
  tcbLevels: TdxModuleTcbLevel[];
}

export interface TdxModuleTcbLevel {
  /** Compared with the module's minor SVN, `tee_tcb_svn[0]`. */
  isvSvn: number;
  /** Unix seconds. */
  tcbDate: number;
  tcbStatus: TcbStatus;
  advisoryIds: string[];
}

export interface TcbLevel {
  /** 16 SVNs, compared with the PCK's CPUSVN components. */
  sgxTcbComponents: number[];
  pceSvn: number;
  /** 16 SVNs, compared with the TD report's `tee_tcb_svn`. */
  tdxTcbComponents: number[];
  /** Unix seconds. */
  tcbDate: number;
  tcbStatus: TcbStatus;
  advisoryIds: string[];
}

/** Intel QVL compares ids upper-cased, so accept either case here. */
const TDX_MODULE_ID_RE = /^TDX_[0-9A-F]{2}$/i;

/**
 * Parses the exact signed `tcbInfo` text. Anything but `id: "TDX"`, `version: 3` and
 * `tcbType: 0` is `TCB_INFO_UNSUPPORTED`; any other defect is `COLLATERAL_MALFORMED`.
 */
export function parseTcbInfo(text: string): TcbInfo {
  const json = parseJsonObject(text, "tcbInfo");
  if (json.id !== "TDX" || json.version !== 3) {
    throw new AttestationError(
      "TCB_INFO_UNSUPPORTED",
      `TCB Info must be id "TDX" version 3, got id ${JSON.stringify(json.id)} version ${JSON.stringify(json.version)}`.slice(0, 200),
    );
  }
  const tcbType = readUint(json, "tcbType", "tcbInfo", 0xffff);
  if (tcbType !== 0) {
    throw new AttestationError("TCB_INFO_UNSUPPORTED", `TCB Info tcbType ${tcbType} is not supported (only 0)`);
  }
  const issueDate = readUtcTime(json, "issueDate", "tcbInfo");
  const nextUpdate = readUtcTime(json, "nextUpdate", "tcbInfo");
  if (nextUpdate < issueDate) throw malformed("tcbInfo.nextUpdate is before issueDate");
  return {
    id: "TDX",
    version: 3,
    issueDate,
    nextUpdate,
    fmspc: readHexBytes(json, "fmspc", "tcbInfo", 6),
    pceId: readHexBytes(json, "pceId", "tcbInfo", 2),
    tcbType: 0,
    tcbEvaluationDataNumber: readUint(json, "tcbEvaluationDataNumber", "tcbInfo", 0xffffffff),
    tdxModule: readTdxModule(readObject(json, "tdxModule", "tcbInfo"), "tcbInfo.tdxModule"),
    tdxModuleIdentities: readTdxModuleIdentities(json),
    tcbLevels: readObjectList(json, "tcbLevels", "tcbInfo", readTcbLevel),
  };
}

/** Optional: TDX 1.0-era TCB Infos have no `tdxModuleIdentities`. */
function readTdxModuleIdentities(json: JsonObject): TdxModuleIdentity[] {
  if (json.tdxModuleIdentities === undefined) return [];
  if (readArray(json, "tdxModuleIdentities", "tcbInfo").length === 0) return [];
  return readObjectList(json, "tdxModuleIdentities", "tcbInfo", readTdxModuleIdentity);
}

function readTdxModule(json: JsonObject, what: string): TdxModule {
  return {
    mrSigner: readHexBytes(json, "mrsigner", what, 48),
    attributes: readHexBytes(json, "attributes", what, 8),
    attributesMask: readHexBytes(json, "attributesMask", what, 8),
  };
}

function readTdxModuleIdentity(json: JsonObject, what: string): TdxModuleIdentity {
  const id = readString(json, "id", what);
  if (!TDX_MODULE_ID_RE.test(id)) throw malformed(`${what}.id must look like TDX_01`);
  return {
    id,
    ...readTdxModule(json, what),
    tcbLevels: readObjectList(json, "tcbLevels", what, (level, levelWhat) => ({
      isvSvn: readUint(readObject(level, "tcb", levelWhat), "isvsvn", `${levelWhat}.tcb`, 0xff),
      tcbDate: readUtcTime(level, "tcbDate", levelWhat),
      tcbStatus: readTcbStatus(level, "tcbStatus", levelWhat),
      advisoryIds: readAdvisoryIds(level, levelWhat),
    })),
  };
}

function readTcbLevel(json: JsonObject, what: string): TcbLevel {
  const tcb = readObject(json, "tcb", what);
  return {
    sgxTcbComponents: readComponents(tcb, "sgxtcbcomponents", `${what}.tcb`),
    pceSvn: readUint(tcb, "pcesvn", `${what}.tcb`, 0xffff),
    tdxTcbComponents: readComponents(tcb, "tdxtcbcomponents", `${what}.tcb`),
    tcbDate: readUtcTime(json, "tcbDate", what),
    tcbStatus: readTcbStatus(json, "tcbStatus", what),
    advisoryIds: readAdvisoryIds(json, what),
  };
}

/** Exactly 16 `{ svn, category?, type? }` components; only `svn` matters for tcbType 0. */
function readComponents(tcb: JsonObject, key: string, what: string): number[] {
  const list = readArray(tcb, key, what);
  if (list.length !== 16) throw malformed(`${what}.${key} must have 16 components, has ${list.length}`);
  return list.map((component, index) => {
    const componentWhat = `${what}.${key}[${index}]`;
    if (typeof component !== "object" || component === null || Array.isArray(component)) {
      throw malformed(`${componentWhat} must be an object`);
    }
    return readUint(component as JsonObject, "svn", componentWhat, 0xff);
  });
}
